using OpenVdi.Engine.Databases;

namespace OpenVdi.Cli.Client;

/// <summary>Compares two databases file by file, byte for byte, files matched by logical name.</summary>
internal static class FileComparison
{
    private const int ChunkBytes = 1 << 20;

    /// <summary>The bytes compared, and the first difference found (null when identical).</summary>
    public static (long Bytes, string? Difference) Compare(DatabaseInfo original, DatabaseInfo copy)
    {
        if (original.Files.Count != copy.Files.Count)
        {
            return (0, $"'{original.Name}' has {original.Files.Count} files, '{copy.Name}' {copy.Files.Count}");
        }

        long total = 0;
        var left = new byte[ChunkBytes];
        var right = new byte[ChunkBytes];
        foreach (var file in original.Files)
        {
            var twin = copy.Files.FirstOrDefault(f => string.Equals(f.LogicalName, file.LogicalName, StringComparison.OrdinalIgnoreCase));
            if (twin is null)
            {
                return (total, $"'{copy.Name}' has no file '{file.LogicalName}'");
            }

            string a = original.GetFullPath(file);
            string b = copy.GetFullPath(twin);
            using var first = File.OpenHandle(a);
            using var second = File.OpenHandle(b);
            long length = RandomAccess.GetLength(first);
            if (length != RandomAccess.GetLength(second))
            {
                return (total, $"{b} is {RandomAccess.GetLength(second)} bytes, {a} {length}");
            }

            for (long offset = 0; offset < length; offset += ChunkBytes)
            {
                int count = (int)Math.Min(ChunkBytes, length - offset);
                ReadExactly(first, left.AsSpan(0, count), offset);
                ReadExactly(second, right.AsSpan(0, count), offset);
                int mismatch = left.AsSpan(0, count).CommonPrefixLength(right.AsSpan(0, count));
                if (mismatch < count)
                {
                    return (total + mismatch, $"{b} differs from {a} at byte {offset + mismatch}");
                }

                total += count;
            }
        }

        return (total, null);
    }

    private static void ReadExactly(Microsoft.Win32.SafeHandles.SafeFileHandle file, Span<byte> buffer, long offset)
    {
        int done = 0;
        while (done < buffer.Length)
        {
            int read = RandomAccess.Read(file, buffer[done..], offset + done);
            if (read == 0)
            {
                throw new IOException("A file ended early while it was compared.");
            }

            done += read;
        }
    }
}
