using System.Text;

namespace OpenVdi.Engine.Format;

/// <summary>
/// Layout of one file entry in the file list of the backup-set header. Entries follow one another with
/// no padding; each is a fixed part of <see cref="FixedLength"/> bytes and then its two UTF-8 strings.
/// <code>
/// offset  size  field
///      0     2  FileType            0 = data, 1 = log
///      2     2  LogicalNameLength   UTF-8 bytes, 1..512
///      4     2  PathLength          UTF-8 bytes, 1..1024
///      6     2  Reserved            zero
///      8     8  Size                bytes, 0..2^44
///     16     n  LogicalName         UTF-8
///   16+n     m  PhysicalPath        UTF-8, relative, '/'-separated
/// </code>
/// </summary>
public static class BackupFileEntryDescriptor
{
    /// <summary>Offset of the 2-byte file type.</summary>
    public const int FileTypeOffset = 0;

    /// <summary>Offset of the 2-byte logical name length.</summary>
    public const int LogicalNameLengthOffset = FileTypeOffset + sizeof(ushort);

    /// <summary>Offset of the 2-byte physical path length.</summary>
    public const int PathLengthOffset = LogicalNameLengthOffset + sizeof(ushort);

    /// <summary>Offset of the 2 reserved bytes, which are zero.</summary>
    public const int ReservedOffset = PathLengthOffset + sizeof(ushort);

    /// <summary>Offset of the 8-byte file size.</summary>
    public const int SizeOffset = ReservedOffset + sizeof(ushort);

    /// <summary>
    /// Length of the fixed part of an entry (16 bytes); the logical name starts here.
    /// <code>
    ///  0                   1                   2                   3
    ///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |          FileType             |      LogicalNameLength        |  0
    /// |         PathLength            |       Reserved (zero)         |  4
    /// |                         Size (low)                            |  8
    /// |                         Size (high)                           | 12
    /// +---------------------------------------------------------------+
    /// |              LogicalName, then PhysicalPath (UTF-8) ...       | 16
    /// </code>
    /// </summary>
    public const int FixedLength = SizeOffset + sizeof(long);

    /// <summary>Most UTF-8 bytes in a logical file name (also the limit for database and backup-set names).</summary>
    public const int MaxNameBytes = 512;

    /// <summary>Most UTF-8 bytes in a physical path.</summary>
    public const int MaxPathBytes = 1024;

    /// <summary>Largest file size the format records (16 TiB, SQL Server's limit for one data file).</summary>
    public const long MaxFileSize = 1L << 44;

    /// <summary>
    /// True when <paramref name="path"/> is a safe relative path: 1..1024 UTF-8 bytes, '/'-separated,
    /// not rooted, no empty, '.' or '..' segment, no '\', ':' or control character. A path that passes
    /// cannot leave the directory it is resolved against.
    /// </summary>
    /// <param name="path">The candidate path.</param>
    /// <returns>Whether it is safe to resolve under a target directory.</returns>
    public static bool IsValidPhysicalPath(string path)
    {
        if (string.IsNullOrEmpty(path) || Encoding.UTF8.GetByteCount(path) > MaxPathBytes)
        {
            return false;
        }

        foreach (char c in path)
        {
            if (char.IsControl(c) || c is '\\' or ':')
            {
                return false;
            }
        }

        foreach (var range in path.AsSpan().Split('/'))
        {
            var segment = path.AsSpan()[range];
            if (segment.IsEmpty || segment is "." || segment is "..")
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when <paramref name="name"/> is 1..<paramref name="maxBytes"/> UTF-8 bytes with no control character.</summary>
    /// <param name="name">The candidate name.</param>
    /// <param name="maxBytes">The limit in UTF-8 bytes.</param>
    /// <returns>Whether the format can carry it.</returns>
    public static bool IsValidName(string name, int maxBytes = MaxNameBytes)
    {
        if (string.IsNullOrEmpty(name) || Encoding.UTF8.GetByteCount(name) > maxBytes)
        {
            return false;
        }

        foreach (char c in name)
        {
            if (char.IsControl(c))
            {
                return false;
            }
        }

        return true;
    }
}
