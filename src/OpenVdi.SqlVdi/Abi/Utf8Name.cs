using System.Text;

namespace OpenVdi.SqlVdi.Abi;

/// <summary>The header's names: NUL-terminated <c>char*</c>, read as UTF-8.</summary>
internal static unsafe class Utf8Name
{
    /// <summary>
    /// The most bytes a valid name can take: OpenVdi's 256 UTF-16 characters, at most 3 UTF-8 bytes each. A string
    /// without a NUL within one byte more is refused without reading further.
    /// </summary>
    public const int MaxBytes = 256 * 3;

    private static readonly UTF8Encoding s_strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Decodes <paramref name="text"/>; false for null, a string too long, or bytes that are not UTF-8.</summary>
    public static bool TryRead(byte* text, out string name)
    {
        name = string.Empty;
        if (text is null)
        {
            return false;
        }

        // SAFETY: reads byte by byte up to the terminator, as strlen would, and never more than MaxBytes + 1 bytes.
        int length = 0;
        while (text[length] != 0)
        {
            if (++length > MaxBytes)
            {
                return false;
            }
        }

        try
        {
            name = s_strict.GetString(text, length);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
