using OpenVdi.SqlVdi.Abi;

namespace OpenVdi.SqlServer.Binding;

/// <summary>
/// One device object of Microsoft's library, owned by the library until its set closes. Its members are called only
/// while the set object is alive (see <see cref="INativeSet"/>).
/// </summary>
internal unsafe interface INativeDevice
{
    /// <summary>GetCommand; <paramref name="record"/> is the library's, valid until it is passed to <see cref="CompleteCommand"/>.</summary>
    VdiResult GetCommand(uint timeoutMs, out VdcCommandRecord* record);

    VdiResult CompleteCommand(VdcCommandRecord* record, uint completionCode, uint bytesTransferred, ulong position);

    /// <summary>The set closed: let go of the device object (COM releases its reference; Linux never frees it).</summary>
    void Release();
}
