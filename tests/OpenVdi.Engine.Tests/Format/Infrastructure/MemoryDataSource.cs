using OpenVdi.Engine.Format;

namespace OpenVdi.Engine.Tests.Format.Infrastructure;

/// <summary>An <see cref="IBackupDataSource"/> over byte arrays, for stripes built without files.</summary>
public sealed class MemoryDataSource(params byte[][] files) : IBackupDataSource
{
    private readonly Lock _lock = new();
    private int _file;
    private long _offset;
    private long _sequence;

    public IReadOnlyList<BackupFileEntry> Entries(params string[] names) =>
        files.Select((bytes, i) => new BackupFileEntry(names[i], names[i] + ".dat", i == files.Length - 1 ? DatabaseFileType.Log : DatabaseFileType.Data, bytes.Length)).ToArray();

    public bool TryTake(int maxLength, out DataExtent extent)
    {
        lock (_lock)
        {
            while (_file < files.Length && _offset == files[_file].Length)
            {
                _file++;
                _offset = 0;
            }

            if (_file == files.Length)
            {
                extent = default;
                return false;
            }

            int length = (int)Math.Min(maxLength, files[_file].Length - _offset);
            extent = new DataExtent(_sequence++, _file, _offset, length);
            _offset += length;
            return true;
        }
    }

    public void Read(in DataExtent extent, Span<byte> destination) =>
        files[extent.FileIndex].AsSpan((int)extent.FileOffset, extent.Length).CopyTo(destination);
}
