namespace OpenVdi.SqlVdi.Exports;

/// <summary>The <c>int</c> results the exports return, and the one place an exception turns into one.</summary>
internal static class ExportResult
{
    /// <summary>The documented HRESULT value of <paramref name="result"/>, as the Linux header's <c>int</c>.</summary>
    public static int Of(VdiResult result) => unchecked((int)result);

    /// <summary>
    /// What an export answers when something threw inside it (no exception may cross into native code, where it would
    /// end the process): VD_E_MEMORY when memory ran out, else VD_E_UNEXPECTED.
    /// </summary>
    public static int Of(Exception exception) =>
        Of(exception is OutOfMemoryException ? VdiResult.VD_E_MEMORY : VdiResult.VD_E_UNEXPECTED);
}
