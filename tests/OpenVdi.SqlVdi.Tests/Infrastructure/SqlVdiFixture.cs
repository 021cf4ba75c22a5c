using OpenVdi.Cli.Client;
using OpenVdi.Engine.Databases;
using OpenVdi.Engine.Execution;
using OpenVdi.Engine.FrontDoor;

namespace OpenVdi.SqlVdi.Tests.Infrastructure;

/// <summary>
/// Built once for every test of the collection: the drop-in library and the native clients (<see cref="NativeBuild"/>),
/// and the engine daemon, <c>vdi engine serve</c>, as a process of its own on a private socket and data directory.
/// Each test then runs native clients against it: the client creates its set, the test sends the BACKUP or RESTORE
/// statement naming the client's devices (as the Linux sample has sqlcmd send it), and both must succeed.
/// </summary>
public sealed class SqlVdiFixture : IAsyncLifetime
{
    /// <summary>How long one client run (a backup or a restore of a few MiB) may take before the test fails.</summary>
    public static readonly TimeSpan RunLimit = TimeSpan.FromSeconds(120);

    private readonly string _work = Directory.CreateTempSubdirectory("openvdi-sqlvdi-").FullName;
    private EngineProcess? _engine;
    private NativeBuild? _build;

    internal NativeBuild Build => _build ?? throw new InvalidOperationException("The fixture is not initialised.");

    /// <summary>The engine daemon's data directory: its databases.</summary>
    public string DataDirectory => Path.Combine(_work, "data");

    private string SocketPath => Path.Combine(_work, "engine.sock");

    /// <summary>A fresh directory for one run's stripe files.</summary>
    public string NewDirectory(string name) => Directory.CreateDirectory(Path.Combine(_work, "runs", name)).FullName;

    public async Task InitializeAsync()
    {
        _build = await NativeBuild.BuildAsync(_work);
        _engine = await EngineProcess.StartAsync(DataDirectory, SocketPath, TimeSpan.FromSeconds(60), CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_engine is not null)
        {
            await _engine.StopAsync(TimeSpan.FromSeconds(20));
            _engine.Dispose();
        }

        Directory.Delete(_work, recursive: true);
    }

    /// <summary>A sample database of <paramref name="bytes"/> in the engine's data directory.</summary>
    public DatabaseInfo CreateDatabase(string name, long bytes, int seed) => SampleDatabase.Create(DataDirectory, name, bytes, seed);

    /// <summary>A database of the engine, as it is now.</summary>
    public DatabaseInfo Database(string name) => new DatabaseCatalogue(DataDirectory).Get(name);

    /// <summary>
    /// Runs <paramref name="client"/> with <paramref name="arguments"/>; once it says which devices its set has, sends
    /// the statement <paramref name="statement"/> makes of them. Both must succeed, and the set must leave nothing in
    /// /dev/shm. Returns the client's output lines.
    /// </summary>
    internal async Task<IReadOnlyList<string>> RunAsync(string client, string[] arguments, Func<IReadOnlyList<string>, string> statement)
    {
        using var native = NativeClient.Start(Build, client, arguments);
        string created = await native.WaitForLineAsync("created ", RunLimit);
        string[] devices = created.Split(' ')[1..];
        var engine = new EngineClient(SocketPath);
        StatementOutcome outcome;
        try
        {
            outcome = await engine.ExecuteAsync(statement(devices)).WaitAsync(RunLimit);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"The statement did not end within {RunLimit.TotalSeconds:0} s. The client printed:\n{native.Output}");
            throw;
        }

        int exitCode = await native.WaitForExitAsync(RunLimit);
        string messages = string.Join('\n', outcome.Messages.Select(m => m.ToString()));
        Assert.True(exitCode == 0, $"The client failed (exit code {exitCode}). It printed:\n{native.Output}\nThe engine said:\n{messages}");
        Assert.True(outcome.Succeeded, $"The statement failed:\n{messages}\nThe client printed:\n{native.Output}");
        Assert.Contains(native.Lines, line => line.StartsWith("done", StringComparison.Ordinal));
        AssertNoSegmentsOf(devices[0]);
        return native.Lines;
    }

    /// <summary>Nothing of the set named <paramref name="set"/> is left in /dev/shm.</summary>
    public static void AssertNoSegmentsOf(string set)
    {
        var left = Directory.EnumerateFiles("/dev/shm").Where(path => Path.GetFileName(path).Contains(set, StringComparison.Ordinal)).ToList();
        Assert.True(left.Count == 0, $"The set '{set}' left {string.Join(", ", left)} in /dev/shm.");
    }

    /// <summary>The databases are the same, file by file, byte for byte.</summary>
    public void AssertSameBytes(DatabaseInfo original, string copy)
    {
        var (bytes, difference) = FileComparison.Compare(original, Database(copy));
        Assert.Null(difference);
        Assert.True(bytes > 0, "No byte was compared.");
    }

    /// <summary>The statement a client's devices take: BACKUP of <paramref name="database"/> to all of them.</summary>
    internal static string Backup(string database, IReadOnlyList<string> devices, int maxTransferSize) =>
        StatementText.Backup(new BackupRequest { Database = database, Directory = string.Empty, Transfer = new TransferOptions(MaxTransferSize: maxTransferSize) }, devices);

    /// <summary>RESTORE as a new database <paramref name="database"/> from all of the devices.</summary>
    internal static string Restore(string database, IReadOnlyList<string> devices, int maxTransferSize) =>
        StatementText.Restore(new RestoreRequest { Database = database, Directory = string.Empty }, devices, new TransferOptions(MaxTransferSize: maxTransferSize), type: null);
}
