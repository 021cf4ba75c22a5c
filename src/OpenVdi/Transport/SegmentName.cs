using System.Security.Cryptography;
using System.Text;

namespace OpenVdi.Transport;

/// <summary>
/// Derives the /dev/shm file names of a set from its instance and set name. The escaping lets no set name reach
/// outside the directory: only <c>[A-Za-z0-9_-]</c> pass through, every other UTF-8 byte becomes <c>%XX</c>,
/// and a name whose escaped form would be too long for a file name is replaced by a hash of it.
/// </summary>
internal static class SegmentName
{
    /// <summary>Longest set or device name, in UTF-16 characters (OpenVdi's limit; see docs/decisions.md).</summary>
    public const int MaxNameLength = 256;

    /// <summary>Longest instance name (SQL Server's limit for instance names).</summary>
    public const int MaxInstanceLength = 16;

    /// <summary>The instance that a null or empty instance name means.</summary>
    public const string DefaultInstance = "MSSQLSERVER";

    /// <summary>What every segment's file name starts with.</summary>
    public const string Prefix = "openvdi.";

    private const string BufferInfix = ".b";
    private const string StagingInfix = ".new-";
    private const int MaxEscapedLength = 180;

    /// <summary>The directory of every segment; an environment variable moves it for tests on other mounts.</summary>
    public static string Directory { get; } = Environment.GetEnvironmentVariable("OPENVDI_SHM_DIR") is { Length: > 0 } dir ? dir : "/dev/shm";

    /// <summary>Whether <paramref name="name"/> is a valid set or device name: 1..256 characters, no '\' and no NUL.</summary>
    public static bool IsValidName(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= MaxNameLength && !name.Contains('\\', StringComparison.Ordinal)
        && !name.Contains('\0', StringComparison.Ordinal) && !HasLoneSurrogate(name);

    /// <summary>
    /// Normalises an instance name: null or empty is the default instance; otherwise 1..16 characters, a letter,
    /// '_', '#' or '&amp;' first, then letters, digits, '_', '$', '#' or '&amp;', as SQL Server names instances.
    /// Instance names are case-insensitive, so the normal form is upper case. Returns null for an invalid name.
    /// </summary>
    public static string? NormalizeInstance(string? instance)
    {
        if (string.IsNullOrEmpty(instance))
        {
            return DefaultInstance;
        }

        if (instance.Length > MaxInstanceLength || !IsInstanceStart(instance[0]))
        {
            return null;
        }

        foreach (char c in instance)
        {
            if (!IsInstanceStart(c) && !char.IsAsciiDigit(c) && c != '$')
            {
                return null;
            }
        }

        return instance.ToUpperInvariant();
    }

    /// <summary>The path of the control segment of <paramref name="setName"/> under <paramref name="normalizedInstance"/>.</summary>
    public static string ControlPath(string normalizedInstance, string setName) =>
        System.IO.Path.Combine(Directory, Prefix + Escape(normalizedInstance) + "." + Escape(setName));

    /// <summary>The path of buffer-area segment <paramref name="index"/> of the set whose control path is given.</summary>
    public static string BufferPath(string controlPath, int index) => controlPath + BufferInfix + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Where a new control segment is made and initialised before it takes its name in one atomic rename, so that a
    /// server never finds a half-written set under the name: the control path with <c>.new-</c> and a random tag.
    /// </summary>
    public static string StagingPath(string controlPath) =>
        controlPath + StagingInfix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    /// <summary>
    /// What a file of the segment directory is: a control segment (<c>openvdi.INSTANCE.set</c>: escaped names hold
    /// no dot), a buffer segment (<c>….b&lt;k&gt;</c>) or a control segment being made (<c>….new-&lt;tag&gt;</c>); for the
    /// latter two, the control segment's path.
    /// </summary>
    public static SegmentFileKind Classify(string path, out string controlPath)
    {
        string name = System.IO.Path.GetFileName(path);
        controlPath = path;
        if (!name.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return SegmentFileKind.None;
        }

        int dots = name.AsSpan().Count('.');
        if (dots == 2)
        {
            return SegmentFileKind.Control;
        }

        if (dots != 3)
        {
            return SegmentFileKind.None;
        }

        int staging = path.LastIndexOf(StagingInfix, StringComparison.Ordinal);
        if (staging > 0 && path.Length - staging - StagingInfix.Length == 8)
        {
            controlPath = path[..staging];
            return SegmentFileKind.Staging;
        }

        int infix = path.LastIndexOf(BufferInfix, StringComparison.Ordinal);
        if (infix < 0 || !int.TryParse(path.AsSpan(infix + BufferInfix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int k)
            || k >= ControlSegmentDescriptor.MaxBufferSegments)
        {
            return SegmentFileKind.None;
        }

        controlPath = path[..infix];
        return SegmentFileKind.Buffer;
    }

    private static bool IsInstanceStart(char c) => char.IsAsciiLetter(c) || c is '_' or '#' or '&';

    private static bool HasLoneSurrogate(string name)
    {
        for (int i = 0; i < name.Length; i++)
        {
            if (char.IsHighSurrogate(name[i]) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(name[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static string Escape(string name)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(name);
        var escaped = new StringBuilder(utf8.Length * 3);
        foreach (byte b in utf8)
        {
            if (b < 0x80 && (char.IsAsciiLetterOrDigit((char)b) || b is (byte)'_' or (byte)'-'))
            {
                escaped.Append((char)b);
            }
            else
            {
                escaped.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        if (escaped.Length <= MaxEscapedLength)
        {
            return escaped.ToString();
        }

        // Too long for a file name: a hash stands in for it ('~' never appears in an escaped name, so a hashed
        // name cannot equal an escaped one). The full name is kept in the segment and checked on open.
        return "~" + Convert.ToHexString(SHA256.HashData(utf8), 0, 24);
    }
}

/// <summary>What a file of the segment directory is (<see cref="SegmentName.Classify"/>).</summary>
internal enum SegmentFileKind
{
    None,
    Control,
    Buffer,
    Staging,
}
