using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace OpenVdi.Engine.Format;

/// <summary>
/// What a backup set holds: the database, the kind of backup, its options and the file list (what
/// RESTORE HEADERONLY and FILELISTONLY report). Every stripe carries an identical copy.
/// Layout: <see cref="BackupSetHeaderDescriptor"/>.
/// </summary>
/// <remarks>
/// The finish time is not here: the header is written at the start of every stripe, before the backup
/// has finished, and a stripe is never rewritten (a pipe cannot seek). Each stripe's trailer carries the
/// time that stripe finished (<see cref="StripeTrailer.FinishTime"/>).
/// </remarks>
public sealed class BackupSetHeader
{
    /// <summary>The backup set's GUID.</summary>
    public required Guid BackupSetId { get; init; }

    /// <summary>The GUID of the media set the backup was written to; equal to every stripe's <see cref="MediaHeader.MediaSetId"/>.</summary>
    public required Guid MediaSetId { get; init; }

    /// <summary>The backed-up database's name, 1..512 UTF-8 bytes.</summary>
    public required string DatabaseName { get; init; }

    /// <summary>Database, log or differential.</summary>
    public required BackupType Type { get; init; }

    /// <summary>True for BACKUP … WITH COPY_ONLY.</summary>
    public bool CopyOnly { get; init; }

    /// <summary>
    /// True when every data block carries a CRC-32C of its payload (WITH CHECKSUM), checked on RESTORE
    /// and VERIFYONLY. Headers and the trailer are checksummed either way.
    /// </summary>
    public bool PayloadChecksums { get; init; } = true;

    /// <summary>When the backup started (UTC).</summary>
    public required DateTimeOffset StartTime { get; init; }

    /// <summary>BACKUP … WITH NAME, or empty.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>BACKUP … WITH DESCRIPTION, or empty.</summary>
    public string Description { get; init; } = string.Empty;

    /// <summary>The BLOCKSIZE of every stripe.</summary>
    public required int BlockSize { get; init; }

    /// <summary>The MAXTRANSFERSIZE of the backup: no data block (header and payload) is longer.</summary>
    public required int MaxTransferSize { get; init; }

    /// <summary>The files, in the order data blocks refer to them by index.</summary>
    public required IReadOnlyList<BackupFileEntry> Files { get; init; }

    /// <summary>The sum of the file sizes: how many payload bytes the media set holds.</summary>
    public long TotalDataBytes
    {
        get
        {
            long total = 0;
            foreach (var file in Files)
            {
                total += file.Size;
            }

            return total;
        }
    }

    /// <summary>
    /// Checks every field and encodes the header (without block padding). Throws
    /// <see cref="ArgumentException"/> naming the first field that cannot be written.
    /// </summary>
    /// <returns>The encoded header, <see cref="BackupSetHeaderDescriptor.TotalLengthOffset"/> says how long.</returns>
    public byte[] Encode()
    {
        var databaseName = Utf8Field(DatabaseName, BackupFileEntryDescriptor.MaxNameBytes, nameof(DatabaseName), allowEmpty: false);
        var name = Utf8Field(Name, BackupFileEntryDescriptor.MaxNameBytes, nameof(Name), allowEmpty: true);
        var description = Utf8Field(Description, BackupSetHeaderDescriptor.MaxDescriptionBytes, nameof(Description), allowEmpty: true);
        ValidateFields();

        var logicalNames = new byte[Files.Count][];
        var paths = new byte[Files.Count][];
        long total = BackupSetHeaderDescriptor.FixedLength + databaseName.Length + name.Length + description.Length + BackupStreamFormat.ChecksumLength;
        for (int i = 0; i < Files.Count; i++)
        {
            logicalNames[i] = Encoding.UTF8.GetBytes(Files[i].LogicalName);
            paths[i] = Encoding.UTF8.GetBytes(Files[i].PhysicalPath);
            total += BackupFileEntryDescriptor.FixedLength + logicalNames[i].Length + paths[i].Length;
        }

        if (total > BackupSetHeaderDescriptor.MaxTotalLength)
        {
            throw new ArgumentException($"The file list makes the backup-set header {total} bytes long; the limit is {BackupSetHeaderDescriptor.MaxTotalLength}.", nameof(Files));
        }

        var buffer = new byte[total];
        Span<byte> span = buffer;
        BinaryPrimitives.WriteUInt32LittleEndian(span[BackupSetHeaderDescriptor.MagicOffset..], BackupSetHeaderDescriptor.Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(span[BackupSetHeaderDescriptor.VersionOffset..], BackupStreamFormat.Version);
        BinaryPrimitives.WriteUInt16LittleEndian(span[BackupSetHeaderDescriptor.FixedLengthOffset..], BackupSetHeaderDescriptor.FixedLength);
        BinaryPrimitives.WriteUInt32LittleEndian(span[BackupSetHeaderDescriptor.TotalLengthOffset..], (uint)total);
        BinaryPrimitives.WriteUInt16LittleEndian(span[BackupSetHeaderDescriptor.BackupTypeOffset..], (ushort)Type);
        BinaryPrimitives.WriteUInt16LittleEndian(span[BackupSetHeaderDescriptor.FlagsOffset..], EncodeFlags());
        BinaryPrimitives.WriteUInt32LittleEndian(span[BackupSetHeaderDescriptor.FileCountOffset..], (uint)Files.Count);
        BinaryPrimitives.WriteInt32LittleEndian(span[BackupSetHeaderDescriptor.BlockSizeOffset..], BlockSize);
        BinaryPrimitives.WriteInt32LittleEndian(span[BackupSetHeaderDescriptor.MaxTransferSizeOffset..], MaxTransferSize);
        BackupSetId.TryWriteBytes(span[BackupSetHeaderDescriptor.BackupSetIdOffset..]);
        MediaSetId.TryWriteBytes(span[BackupSetHeaderDescriptor.MediaSetIdOffset..]);
        BinaryPrimitives.WriteInt64LittleEndian(span[BackupSetHeaderDescriptor.StartTimeOffset..], StartTime.UtcTicks);
        BinaryPrimitives.WriteInt64LittleEndian(span[BackupSetHeaderDescriptor.TotalDataBytesOffset..], TotalDataBytes);
        BinaryPrimitives.WriteUInt16LittleEndian(span[BackupSetHeaderDescriptor.DatabaseNameLengthOffset..], (ushort)databaseName.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(span[BackupSetHeaderDescriptor.NameLengthOffset..], (ushort)name.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(span[BackupSetHeaderDescriptor.DescriptionLengthOffset..], (ushort)description.Length);

        int cursor = BackupSetHeaderDescriptor.FixedLength;
        cursor += Put(span[cursor..], databaseName);
        cursor += Put(span[cursor..], name);
        cursor += Put(span[cursor..], description);
        for (int i = 0; i < Files.Count; i++)
        {
            Span<byte> entry = span[cursor..];
            BinaryPrimitives.WriteUInt16LittleEndian(entry[BackupFileEntryDescriptor.FileTypeOffset..], (ushort)Files[i].Type);
            BinaryPrimitives.WriteUInt16LittleEndian(entry[BackupFileEntryDescriptor.LogicalNameLengthOffset..], (ushort)logicalNames[i].Length);
            BinaryPrimitives.WriteUInt16LittleEndian(entry[BackupFileEntryDescriptor.PathLengthOffset..], (ushort)paths[i].Length);
            BinaryPrimitives.WriteInt64LittleEndian(entry[BackupFileEntryDescriptor.SizeOffset..], Files[i].Size);
            cursor += BackupFileEntryDescriptor.FixedLength;
            cursor += Put(span[cursor..], logicalNames[i]);
            cursor += Put(span[cursor..], paths[i]);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(span[cursor..], Crc32C.Compute(span[..cursor]));
        return buffer;
    }

    /// <summary>Checks and reads a whole backup-set header (exactly its total length).</summary>
    internal static BackupSetHeader Read(ReadOnlySpan<byte> header, StreamLocation at)
    {
        BackupSetHeaderDescriptor.CheckChecksum(header, at);
        ReadOnlySpan<byte> body = header[..^BackupStreamFormat.ChecksumLength];

        var type = (BackupType)BinaryPrimitives.ReadUInt16LittleEndian(body[BackupSetHeaderDescriptor.BackupTypeOffset..]);
        if (type is not (BackupType.Database or BackupType.Log or BackupType.Differential))
        {
            throw Invalid(at, $"backup type {(int)type} is not 1 (database), 2 (log) or 5 (differential)");
        }

        ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(body[BackupSetHeaderDescriptor.FlagsOffset..]);
        if ((flags & ~BackupSetHeaderDescriptor.KnownFlags) != 0)
        {
            throw Invalid(at, $"flags 0x{flags:X4} has bits this build does not know");
        }

        uint fileCount = BinaryPrimitives.ReadUInt32LittleEndian(body[BackupSetHeaderDescriptor.FileCountOffset..]);
        if (fileCount is < 1 or > BackupSetHeaderDescriptor.MaxFileCount)
        {
            throw Invalid(at, $"file count {fileCount} is not 1..{BackupSetHeaderDescriptor.MaxFileCount}");
        }

        int blockSize = BinaryPrimitives.ReadInt32LittleEndian(body[BackupSetHeaderDescriptor.BlockSizeOffset..]);
        int maxTransferSize = BinaryPrimitives.ReadInt32LittleEndian(body[BackupSetHeaderDescriptor.MaxTransferSizeOffset..]);
        if (!BackupStreamFormat.IsValidBlockSize(blockSize) || !BackupStreamFormat.IsValidMaxTransferSize(maxTransferSize, blockSize))
        {
            throw Invalid(at, $"BLOCKSIZE {blockSize} / MAXTRANSFERSIZE {maxTransferSize} are not a valid pair");
        }

        long startTicks = BinaryPrimitives.ReadInt64LittleEndian(body[BackupSetHeaderDescriptor.StartTimeOffset..]);
        if (!BackupStreamFormat.IsValidTicks(startTicks))
        {
            throw Invalid(at, "the start time is not a valid UTC time");
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(body[BackupSetHeaderDescriptor.Reserved1Offset..]) != 0
            || BinaryPrimitives.ReadUInt16LittleEndian(body[BackupSetHeaderDescriptor.Reserved2Offset..]) != 0)
        {
            throw Invalid(at, "reserved fields are not zero");
        }

        int cursor = BackupSetHeaderDescriptor.FixedLength;
        string databaseName = TakeString(body, ref cursor, BinaryPrimitives.ReadUInt16LittleEndian(body[BackupSetHeaderDescriptor.DatabaseNameLengthOffset..]), BackupFileEntryDescriptor.MaxNameBytes, allowEmpty: false, "database name", at);
        string name = TakeString(body, ref cursor, BinaryPrimitives.ReadUInt16LittleEndian(body[BackupSetHeaderDescriptor.NameLengthOffset..]), BackupFileEntryDescriptor.MaxNameBytes, allowEmpty: true, "backup set name", at);
        string description = TakeString(body, ref cursor, BinaryPrimitives.ReadUInt16LittleEndian(body[BackupSetHeaderDescriptor.DescriptionLengthOffset..]), BackupSetHeaderDescriptor.MaxDescriptionBytes, allowEmpty: true, "description", at);

        var files = new BackupFileEntry[fileCount];
        long totalSize = 0;
        for (int i = 0; i < files.Length; i++)
        {
            if (body.Length - cursor < BackupFileEntryDescriptor.FixedLength)
            {
                throw Invalid(at, $"file entry {i} runs past the end of the header");
            }

            ReadOnlySpan<byte> entry = body[cursor..];
            int fileType = BinaryPrimitives.ReadUInt16LittleEndian(entry[BackupFileEntryDescriptor.FileTypeOffset..]);
            int logicalLength = BinaryPrimitives.ReadUInt16LittleEndian(entry[BackupFileEntryDescriptor.LogicalNameLengthOffset..]);
            int pathLength = BinaryPrimitives.ReadUInt16LittleEndian(entry[BackupFileEntryDescriptor.PathLengthOffset..]);
            long size = BinaryPrimitives.ReadInt64LittleEndian(entry[BackupFileEntryDescriptor.SizeOffset..]);
            if (fileType is not ((int)DatabaseFileType.Data or (int)DatabaseFileType.Log))
            {
                throw Invalid(at, $"file entry {i} has type {fileType}, not 0 (data) or 1 (log)");
            }

            if (BinaryPrimitives.ReadUInt16LittleEndian(entry[BackupFileEntryDescriptor.ReservedOffset..]) != 0)
            {
                throw Invalid(at, $"file entry {i} has non-zero reserved bytes");
            }

            if (size is < 0 or > BackupFileEntryDescriptor.MaxFileSize)
            {
                throw Invalid(at, $"file entry {i} has size {size}, not 0..{BackupFileEntryDescriptor.MaxFileSize}");
            }

            cursor += BackupFileEntryDescriptor.FixedLength;
            string logicalName = TakeString(body, ref cursor, logicalLength, BackupFileEntryDescriptor.MaxNameBytes, allowEmpty: false, $"logical name of file {i}", at);
            string path = TakeString(body, ref cursor, pathLength, BackupFileEntryDescriptor.MaxPathBytes, allowEmpty: false, $"path of file {i}", at);
            if (!BackupFileEntryDescriptor.IsValidPhysicalPath(path))
            {
                throw Invalid(at, $"file {i} has the path '{path}', which is not a safe relative path");
            }

            files[i] = new BackupFileEntry(logicalName, path, (DatabaseFileType)fileType, size);
            totalSize += size; // cannot overflow: at most 32767 files of at most 2^44 bytes
        }

        if (cursor != body.Length)
        {
            throw Invalid(at, $"{body.Length - cursor} bytes follow the file list before the checksum");
        }

        long totalDataBytes = BinaryPrimitives.ReadInt64LittleEndian(body[BackupSetHeaderDescriptor.TotalDataBytesOffset..]);
        if (totalDataBytes != totalSize)
        {
            throw Invalid(at, $"total data bytes {totalDataBytes} differs from the sum of the file sizes {totalSize}");
        }

        string? duplicate = FindDuplicate(files);
        if (duplicate is not null)
        {
            throw Invalid(at, duplicate);
        }

        return new BackupSetHeader
        {
            BackupSetId = new Guid(body.Slice(BackupSetHeaderDescriptor.BackupSetIdOffset, BackupStreamFormat.GuidLength)),
            MediaSetId = new Guid(body.Slice(BackupSetHeaderDescriptor.MediaSetIdOffset, BackupStreamFormat.GuidLength)),
            DatabaseName = databaseName,
            Type = type,
            CopyOnly = (flags & BackupSetHeaderDescriptor.CopyOnlyFlag) != 0,
            PayloadChecksums = (flags & BackupSetHeaderDescriptor.PayloadChecksumsFlag) != 0,
            StartTime = new DateTimeOffset(startTicks, TimeSpan.Zero),
            Name = name,
            Description = description,
            BlockSize = blockSize,
            MaxTransferSize = maxTransferSize,
            Files = files,
        };
    }

    private ushort EncodeFlags() =>
        (ushort)((CopyOnly ? BackupSetHeaderDescriptor.CopyOnlyFlag : 0) | (PayloadChecksums ? BackupSetHeaderDescriptor.PayloadChecksumsFlag : 0));

    private void ValidateFields()
    {
        if (Type is not (BackupType.Database or BackupType.Log or BackupType.Differential))
        {
            throw new ArgumentException($"Backup type {(int)Type} is not defined.", nameof(Type));
        }

        if (!BackupStreamFormat.IsValidBlockSize(BlockSize))
        {
            throw new ArgumentException($"BLOCKSIZE {BlockSize} is not a power of two from 512 to 65536.", nameof(BlockSize));
        }

        if (!BackupStreamFormat.IsValidMaxTransferSize(MaxTransferSize, BlockSize))
        {
            throw new ArgumentException($"MAXTRANSFERSIZE {MaxTransferSize} is not a multiple of BLOCKSIZE {BlockSize} up to {BackupStreamFormat.MaxTransferSizeLimit}.", nameof(MaxTransferSize));
        }

        if (!BackupStreamFormat.IsValidTicks(StartTime.UtcTicks))
        {
            throw new ArgumentException("The start time is not a valid UTC time.", nameof(StartTime));
        }

        ValidateFiles(Files, nameof(Files));
    }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> unless the format can carry <paramref name="files"/>:
    /// 1..32767 entries with valid names, safe relative paths, defined types, sizes up to 16 TiB, and no
    /// logical name or path twice (ignoring case).
    /// </summary>
    internal static void ValidateFiles(IReadOnlyList<BackupFileEntry>? files, string paramName)
    {
        if (files is null || files.Count is < 1 or > BackupSetHeaderDescriptor.MaxFileCount)
        {
            throw new ArgumentException($"A backup set lists 1..{BackupSetHeaderDescriptor.MaxFileCount} files.", paramName);
        }

        foreach (var file in files)
        {
            if (file is null
                || !BackupFileEntryDescriptor.IsValidName(file.LogicalName)
                || !BackupFileEntryDescriptor.IsValidPhysicalPath(file.PhysicalPath)
                || file.Type is not (DatabaseFileType.Data or DatabaseFileType.Log)
                || file.Size is < 0 or > BackupFileEntryDescriptor.MaxFileSize)
            {
                throw new ArgumentException($"The file entry {file} has a name, path, type or size the format cannot carry.", paramName);
            }
        }

        string? duplicate = FindDuplicate(files);
        if (duplicate is not null)
        {
            throw new ArgumentException(duplicate, paramName);
        }
    }

    private static string? FindDuplicate(IReadOnlyList<BackupFileEntry> files)
    {
        var logicalNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var paths = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in files)
        {
            if (!logicalNames.Add(file.LogicalName))
            {
                return $"the logical file name '{file.LogicalName}' appears twice";
            }

            if (!paths.Add(file.PhysicalPath))
            {
                return $"the physical path '{file.PhysicalPath}' appears twice";
            }
        }

        return null;
    }

    private static byte[] Utf8Field(string? value, int maxBytes, string field, bool allowEmpty)
    {
        value ??= string.Empty;
        if (value.Length == 0 ? !allowEmpty : !BackupFileEntryDescriptor.IsValidName(value, maxBytes))
        {
            throw new ArgumentException($"{field} must be {(allowEmpty ? 0 : 1)}..{maxBytes} UTF-8 bytes without control characters.", field);
        }

        return Encoding.UTF8.GetBytes(value);
    }

    private static int Put(Span<byte> destination, byte[] bytes)
    {
        bytes.CopyTo(destination);
        return bytes.Length;
    }

    private static string TakeString(ReadOnlySpan<byte> body, ref int cursor, int length, int maxBytes, bool allowEmpty, string field, StreamLocation at)
    {
        if (length > maxBytes || (length == 0 && !allowEmpty))
        {
            throw Invalid(at, $"the {field} is {length} bytes long; it must be {(allowEmpty ? 0 : 1)}..{maxBytes}");
        }

        if (length > body.Length - cursor)
        {
            throw Invalid(at, $"the {field} runs past the end of the header");
        }

        ReadOnlySpan<byte> bytes = body.Slice(cursor, length);
        if (!Utf8.IsValid(bytes))
        {
            throw Invalid(at, $"the {field} is not valid UTF-8");
        }

        string value = Encoding.UTF8.GetString(bytes);
        if (value.Length > 0 && !BackupFileEntryDescriptor.IsValidName(value, maxBytes))
        {
            throw Invalid(at, $"the {field} contains a control character");
        }

        cursor += length;
        return value;
    }

    private static BackupStreamException Invalid(StreamLocation at, string what) =>
        at.Fault(BackupStreamError.InvalidField, string.Create(CultureInfo.InvariantCulture, $"The backup-set header is not valid: {what}."));
}
