using Microsoft.Win32.SafeHandles;

namespace OpenVdi.Cli.Client;

/// <summary>One stripe of a backup being read back: reads of any size, in order, each filling as much as is left.</summary>
internal sealed class StripeFileReader : IDisposable
{
    private readonly SafeFileHandle _handle;
    private long _position;

    public StripeFileReader(string path)
    {
        Path = path;
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        Length = RandomAccess.GetLength(_handle);
    }

    /// <summary>The stripe file.</summary>
    public string Path { get; }

    /// <summary>The stripe's length in bytes.</summary>
    public long Length { get; }

    /// <summary>Bytes read so far.</summary>
    public long Position => Volatile.Read(ref _position);

    /// <summary>
    /// Fills <paramref name="buffer"/> with the next bytes of the stripe; fewer only at the end of the stripe, and 0
    /// once it was all read.
    /// </summary>
    /// <exception cref="IOException">The read failed.</exception>
    public int Read(Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int read = RandomAccess.Read(_handle, buffer[total..], _position);
            if (read == 0)
            {
                break;
            }

            total += read;
            Volatile.Write(ref _position, _position + read);
        }

        return total;
    }

    public void Dispose() => _handle.Dispose();
}
