using OpenVdi.Engine.Execution;
using OpenVdi.Engine.FrontDoor;

namespace OpenVdi.Engine.Tests.FrontDoor.Infrastructure;

/// <summary>
/// A daemon on a socket in a fresh private temporary directory, with its log captured; disposing stops it and
/// deletes the directory.
/// </summary>
public sealed class DaemonHarness : IAsyncDisposable
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);

    private readonly LogWatcher _log = new();

    private DaemonHarness(IStatementEngine engine, Func<EngineDaemonOptions, EngineDaemonOptions>? configure, PeerPolicy? policy)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("ovdi-fd-").FullName;
        var options = new EngineDaemonOptions
        {
            SocketPath = Path.Combine(Directory, "engine.sock"),
            Logger = new TextWriterLogger(_log),
            ShutdownTimeout = TimeSpan.FromSeconds(10),
        };
        options = configure?.Invoke(options) ?? options;
        Daemon = policy is null ? new EngineDaemon(engine, options) : new EngineDaemon(engine, options, policy);
    }

    public string Directory { get; }

    public EngineDaemon Daemon { get; }

    public string SocketPath => Daemon.SocketPath;

    /// <summary>The daemon's log so far.</summary>
    public string Log => _log.Text;

    /// <summary>Ends with the first log line containing <paramref name="text"/> (failing the test after the limit).</summary>
    public Task<string> LogLine(string text) => _log.Line(text);

    public EngineClient Client() => new(SocketPath);

    /// <summary>A started daemon.</summary>
    public static DaemonHarness Start(IStatementEngine engine, Func<EngineDaemonOptions, EngineDaemonOptions>? configure = null, PeerPolicy? policy = null)
    {
        var harness = new DaemonHarness(engine, configure, policy);
        try
        {
            harness.Daemon.Start();
            return harness;
        }
        catch
        {
            System.IO.Directory.Delete(harness.Directory, recursive: true);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Daemon.StopAsync().WaitAsync(Limit);
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
