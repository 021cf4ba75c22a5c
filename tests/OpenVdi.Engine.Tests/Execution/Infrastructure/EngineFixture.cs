using OpenVdi.Engine.Databases;
using OpenVdi.Engine.Execution;
using OpenVdi.Engine.Faults;

namespace OpenVdi.Engine.Tests.Execution.Infrastructure;

/// <summary>An engine over a temporary data directory with one sample database; the directory goes at the end.</summary>
public sealed class EngineFixture : IDisposable
{
    public EngineFixture(long sampleSize = 3 * 1024 * 1024 + 4096 * 3, FaultPlan? faults = null, string database = "sales", long flushInterval = 1L << 30)
    {
        DataDirectory = Path.Combine(Path.GetTempPath(), "openvdi-engine-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(DataDirectory);
        Database = SampleDatabase.Create(DataDirectory, database, sampleSize, seed: 7);
        Engine = new StatementEngine(new EngineOptions { DataDirectory = DataDirectory, Faults = faults ?? FaultPlan.None, FlushInterval = flushInterval, SetOpenTimeout = TimeSpan.FromSeconds(10) });
    }

    public string DataDirectory { get; }

    public DatabaseInfo Database { get; }

    public StatementEngine Engine { get; }

    /// <summary>Asserts that <paramref name="copy"/> has exactly the files of the sample database, byte for byte.</summary>
    public void AssertSameFiles(string copy)
    {
        var restored = Engine.Catalogue.Get(copy);
        Assert.Equal(Database.Files.Count, restored.Files.Count);
        for (int i = 0; i < Database.Files.Count; i++)
        {
            byte[] expected = File.ReadAllBytes(Database.GetFullPath(Database.Files[i]));
            byte[] actual = File.ReadAllBytes(restored.GetFullPath(restored.Files[i]));
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"File {Database.Files[i].LogicalName} differs after the restore.");
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
