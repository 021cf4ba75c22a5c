using OpenVdi.Engine.Databases;
using OpenVdi.Engine.Format;

namespace OpenVdi.Engine.Tests.Format.Infrastructure;

/// <summary>
/// Drives the stream writer and reader the way the engine's device loops will, without VDI: stripes are
/// byte arrays, transfers are spans of a reused buffer.
/// </summary>
public static class BackupHarness
{
    public static DateTimeOffset StartTime { get; } = new(2025, 3, 14, 15, 9, 26, TimeSpan.Zero);

    public static BackupSetHeader SetHeaderFor(
        DatabaseReader reader,
        string databaseName,
        int blockSize = 4096,
        int maxTransferSize = 65536,
        bool payloadChecksums = true,
        Guid? mediaSetId = null,
        string name = "",
        string description = "") => new()
        {
            BackupSetId = Guid.NewGuid(),
            MediaSetId = mediaSetId ?? Guid.NewGuid(),
            DatabaseName = databaseName,
            Type = BackupType.Database,
            StartTime = StartTime,
            Name = name,
            Description = description,
            BlockSize = blockSize,
            MaxTransferSize = maxTransferSize,
            PayloadChecksums = payloadChecksums,
            Files = reader.Files,
        };

    /// <summary>Backs a catalogued database up into <paramref name="families"/> stripes.</summary>
    public static byte[][] Backup(
        DatabaseCatalogue catalogue,
        string database,
        int families,
        int blockSize = 4096,
        int maxTransferSize = 65536,
        bool payloadChecksums = true,
        Func<int, int>? transferSize = null,
        Guid? mediaSetId = null,
        string name = "")
    {
        using var reader = catalogue.OpenReader(database);
        var set = SetHeaderFor(reader, database, blockSize, maxTransferSize, payloadChecksums, mediaSetId, name);
        return WriteStripes(StripeWriter.CreateMediaSet(set, families, reader), maxTransferSize, transferSize);
    }

    /// <summary>
    /// Runs the writers round-robin on this thread, one transfer each per turn (as a server with one
    /// buffer per device would), until every stripe is complete.
    /// </summary>
    public static byte[][] WriteStripes(StripeWriter[] writers, int maxTransferSize, Func<int, int>? transferSize = null)
    {
        var outputs = writers.Select(_ => new MemoryStream()).ToArray();
        var buffer = new byte[maxTransferSize];
        int call = 0;
        while (writers.Any(writer => !writer.IsComplete))
        {
            for (int f = 0; f < writers.Length; f++)
            {
                int size = transferSize?.Invoke(call++) ?? maxTransferSize;
                int length = writers[f].WriteNext(buffer.AsSpan(0, size));
                outputs[f].Write(buffer, 0, length);
            }
        }

        return outputs.Select(output => output.ToArray()).ToArray();
    }

    /// <summary>
    /// Backs up on one thread per device, as the engine does, with the devices sharing the data source.
    /// </summary>
    public static byte[][] BackupConcurrently(DatabaseCatalogue catalogue, string database, int families, int blockSize, int maxTransferSize)
    {
        using var reader = catalogue.OpenReader(database);
        var set = SetHeaderFor(reader, database, blockSize, maxTransferSize);
        var writers = StripeWriter.CreateMediaSet(set, families, reader);
        var stripes = new byte[families][];
        Parallel.For(0, families, new ParallelOptions { MaxDegreeOfParallelism = Math.Min(families, 8) }, f =>
        {
            using var output = new MemoryStream();
            var buffer = new byte[maxTransferSize];
            int length;
            while ((length = writers[f].WriteNext(buffer)) > 0)
            {
                output.Write(buffer, 0, length);
            }

            stripes[f] = output.ToArray();
        });
        return stripes;
    }

    /// <summary>
    /// Feeds stripes to an assembler in the given order, each in reads of the given sizes. Interleaved
    /// mode hands one read to each stripe in turn, as concurrent devices would.
    /// </summary>
    public static MediaSetSummary Read(
        IReadOnlyList<byte[]> stripes,
        Func<BackupSetHeader, IDataBlockSink?>? createSink = null,
        Func<int, int>? readSize = null,
        bool interleaved = false,
        int expectedBlockSize = 0)
    {
        var assembler = new MediaSetAssembler(createSink, expectedBlockSize);
        var cursors = stripes.Select(bytes => (Bytes: bytes, Stripe: assembler.OpenStripe(), Offset: 0)).ToArray();
        int call = 0;
        bool progress = true;
        while (progress)
        {
            progress = false;
            for (int i = 0; i < cursors.Length; i++)
            {
                var (bytes, stripe, offset) = cursors[i];
                while (offset < bytes.Length && !stripe.IsComplete)
                {
                    int size = Math.Min(readSize?.Invoke(call++) ?? 65536, bytes.Length - offset);
                    stripe.Consume(bytes.AsSpan(offset, size));
                    offset += size;
                    progress = true;
                    if (interleaved)
                    {
                        break;
                    }
                }

                cursors[i].Offset = offset;
            }
        }

        foreach (var cursor in cursors)
        {
            cursor.Stripe.Complete();
        }

        return assembler.Complete();
    }

    /// <summary>Restores stripes as a new database of the catalogue, committing on success.</summary>
    public static MediaSetSummary Restore(
        DatabaseCatalogue catalogue,
        string asDatabase,
        IReadOnlyList<byte[]> stripes,
        Func<int, int>? readSize = null,
        bool interleaved = false,
        DatabaseWriterOptions? options = null)
    {
        DatabaseWriter? writer = null;
        try
        {
            var summary = Read(stripes, set => writer = catalogue.BeginRestore(asDatabase, set, options), readSize, interleaved);
            writer!.Commit();
            return summary;
        }
        finally
        {
            writer?.Dispose();
        }
    }

    /// <summary>Verifies stripes (VERIFYONLY) and returns the failure, or null when they verify.</summary>
    public static BackupStreamException? Verify(IReadOnlyList<byte[]> stripes, Func<int, int>? readSize = null)
    {
        try
        {
            Read(stripes, createSink: null, readSize);
            return null;
        }
        catch (BackupStreamException e)
        {
            return e;
        }
    }

    /// <summary>Asserts that every file of two databases has the same bytes.</summary>
    public static void AssertSameContent(DatabaseInfo expected, DatabaseInfo actual)
    {
        Assert.Equal(expected.Files.Count, actual.Files.Count);
        for (int i = 0; i < expected.Files.Count; i++)
        {
            Assert.Equal(expected.Files[i].LogicalName, actual.Files[i].LogicalName);
            Assert.Equal(expected.Files[i].Type, actual.Files[i].Type);
            byte[] want = File.ReadAllBytes(expected.GetFullPath(expected.Files[i]));
            byte[] got = File.ReadAllBytes(actual.GetFullPath(actual.Files[i]));
            Assert.Equal(want.Length, got.Length);
            Assert.True(want.AsSpan().SequenceEqual(got), $"File {expected.Files[i].LogicalName} differs after restore.");
        }
    }

    /// <summary>Shuffles a copy of the list with a fixed seed.</summary>
    public static T[] Shuffled<T>(IReadOnlyList<T> items, int seed)
    {
        var copy = items.ToArray();
        new Random(seed).Shuffle(copy);
        return copy;
    }
}
