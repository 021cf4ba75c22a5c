using System.Globalization;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using OpenVdi.Engine.Execution;
using OpenVdi.Engine.FrontDoor.Internal;
using OpenVdi.Engine.Listening;

namespace OpenVdi.Engine.FrontDoor;

/// <summary>
/// The engine as a local daemon: listens on a Unix domain socket, admits only its own user (and, if configured, a
/// group) by the peer credentials the kernel reports, and runs one statement per connection on an
/// <see cref="IStatementEngine"/>, streaming the statement's messages and result sets back as they happen
/// (<see cref="EngineProtocol"/>). Connections are served concurrently; a client that disconnects, or sends
/// <c>cancel</c>, cancels its statement.
/// </summary>
/// <remarks>
/// Start with <see cref="Start"/> (binds and listens before it returns) or <see cref="RunAsync"/> (serves until its
/// token is cancelled). Linux and other Unix systems only (peer credentials, socket file modes). Stopping cancels every running statement, waits for their answers to be sent (up to
/// <see cref="EngineDaemonOptions.ShutdownTimeout"/>), and removes the socket file.
/// </remarks>
public sealed partial class EngineDaemon : IAsyncDisposable
{
    private const int ListenBacklog = 128;

    private readonly IStatementEngine _engine;
    private readonly EngineDaemonOptions _options;
    private readonly SocketFile _socketFile;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private readonly HashSet<Connection> _connections = [];
    private Socket? _listener;
    private Task _acceptLoop = Task.CompletedTask;
    private Task? _stopped;
    private long _lastConnectionId;
    private int _runningStatements;
    private int _waitingConnections;
    private int _executingStatements;
    private int _started;

    /// <summary>Prepares a daemon; nothing is bound until <see cref="Start"/> or <see cref="RunAsync"/>.</summary>
    /// <param name="engine">The engine that runs the statements.</param>
    /// <param name="options">Socket path, group, log and limits; null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="engine"/> is null.</exception>
    /// <exception cref="ArgumentException">The socket path is too long, or the group does not exist.</exception>
    public EngineDaemon(IStatementEngine engine, EngineDaemonOptions? options = null)
        : this(engine, options, policy: null)
    {
    }

    /// <summary>A daemon that decides with <paramref name="policy"/> instead of its own user and group (for tests of refusal).</summary>
    internal EngineDaemon(IStatementEngine engine, EngineDaemonOptions? options, PeerPolicy? policy)
    {
        ArgumentNullException.ThrowIfNull(engine);
        _engine = engine;
        _options = options ?? new EngineDaemonOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxConcurrentStatements, 1, nameof(options));
        uint? gid = _options.Group is { } group ? ResolveGroup(group) : null;
        string? groupName = _options.Group is { } name && !uint.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? name : null;
        uint owner = UnixNative.EffectiveUserId();
        Policy = policy ?? new PeerPolicy(owner, gid, groupName);
        _socketFile = new SocketFile(EngineSocketPath.Resolve(_options.SocketPath), owner, gid);
    }

    /// <summary>The full path of the socket.</summary>
    public string SocketPath => _socketFile.Path;

    /// <summary>When the daemon started listening; null before.</summary>
    public DateTimeOffset? StartedAt { get; private set; }

    /// <summary>The statements running now (<c>execute</c> requests; not <c>status</c> and the like).</summary>
    public int RunningStatements => Volatile.Read(ref _executingStatements);

    /// <summary>Who may connect.</summary>
    public PeerPolicy Policy { get; }

    /// <summary>The connections open now (admitted or being refused).</summary>
    public int ActiveConnections
    {
        get
        {
            lock (_lock)
            {
                return _connections.Count;
            }
        }
    }

    /// <summary>
    /// Binds the socket (making its directory safe, replacing the stale socket of a dead daemon) and starts accepting
    /// connections. When this returns, clients can connect.
    /// </summary>
    /// <exception cref="InvalidOperationException">The daemon was already started.</exception>
    /// <exception cref="ObjectDisposedException">The daemon was stopped.</exception>
    /// <exception cref="IOException">The socket cannot be made: its directory belongs to someone else or is writable by others, another daemon listens there, a file that is not a socket is in the way…</exception>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The daemon was already started.");
        }

        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);

        _listener = _socketFile.BindAndListen(ListenBacklog, line => Log(LogLevel.Warning, line));
        string mode = Convert.ToString((int)_socketFile.SocketMode, 8).PadLeft(4, '0');
        string whom = Policy.GroupId is { } gid
            ? string.Create(CultureInfo.InvariantCulture, $"uid {Policy.OwnerUserId} and group {Policy.GroupName ?? gid.ToString(CultureInfo.InvariantCulture)}")
            : string.Create(CultureInfo.InvariantCulture, $"uid {Policy.OwnerUserId}");
        StartedAt = DateTimeOffset.UtcNow;
        Log(LogLevel.Information, string.Create(CultureInfo.InvariantCulture, $"listening on {SocketPath} (mode {mode}), serving {whom}, pid {Environment.ProcessId}"));
        _acceptLoop = AcceptLoopAsync(_listener);
    }

    /// <summary>Serves until <paramref name="cancellationToken"/> is cancelled, then stops (see <see cref="StopAsync"/>).</summary>
    /// <param name="cancellationToken">Stops the daemon.</param>
    /// <returns>A task that ends once the daemon has stopped.</returns>
    /// <exception cref="IOException">The socket cannot be made (see <see cref="Start"/>).</exception>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _started) == 0)
        {
            Start();
        }

        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The normal way to stop.
        }

        await StopAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Stops accepting, cancels every running statement, waits (up to <see cref="EngineDaemonOptions.ShutdownTimeout"/>)
    /// for their answers to be sent, closes the connections and removes the socket file. Safe to call more than once.
    /// </summary>
    /// <returns>A task that ends once the daemon has stopped.</returns>
    public Task StopAsync()
    {
        lock (_lock)
        {
            return _stopped ??= StopCoreAsync();
        }
    }

    /// <summary>Stops the daemon (<see cref="StopAsync"/>).</summary>
    /// <returns>A task that ends once the daemon has stopped.</returns>
    public ValueTask DisposeAsync() => new(StopAsync());

    private async Task StopCoreAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener?.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        Connection[] open;
        lock (_lock)
        {
            open = [.. _connections];
        }

        if (open.Length > 0)
        {
            Log(LogLevel.Information, string.Create(CultureInfo.InvariantCulture, $"stopping: cancelling the statements of {open.Length} connection(s)"));
            try
            {
                await Task.WhenAll(open.Select(c => c.Completion)).WaitAsync(_options.ShutdownTimeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                Log(LogLevel.Warning, "stopping: statements did not end in time; closing their connections");
                foreach (var connection in open)
                {
                    connection.Abort();
                }
            }
        }

        if (_listener is not null)
        {
            _socketFile.Remove();
            Log(LogLevel.Information, "stopped");
        }
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (await SocketAccept.NextAsync(listener, message => Log(LogLevel.Error, $"accept failed: {message}"), _stopping.Token).ConfigureAwait(false) is { } client)
        {
            var connection = new Connection(this, client, Interlocked.Increment(ref _lastConnectionId));
            lock (_lock)
            {
                _connections.Add(connection);
            }

            connection.Start();
        }
    }

    private void Forget(Connection connection)
    {
        lock (_lock)
        {
            _connections.Remove(connection);
        }
    }

    private bool TryEnterStatement()
    {
        if (Interlocked.Increment(ref _runningStatements) <= _options.MaxConcurrentStatements)
        {
            return true;
        }

        Interlocked.Decrement(ref _runningStatements);
        return false;
    }

    private void ExitStatement() => Interlocked.Decrement(ref _runningStatements);

    private bool IsAtStatementLimit => Volatile.Read(ref _runningStatements) >= _options.MaxConcurrentStatements;

    private bool TryEnterWaiting()
    {
        if (Interlocked.Increment(ref _waitingConnections) <= _options.MaxWaitingConnections)
        {
            return true;
        }

        Interlocked.Decrement(ref _waitingConnections);
        return false;
    }

    private void ExitWaiting() => Interlocked.Decrement(ref _waitingConnections);

    /// <summary>The answer to <c>status</c>.</summary>
    private byte[] StatusFrame()
    {
        var administration = _engine as IDatabaseAdministration;
        int? databases = null;
        try
        {
            databases = administration?.ListDatabases().Count;
        }
        catch (IOException)
        {
            // A data directory that cannot be read: the status says nothing of its databases.
        }

        return FrameEncoder.Status(new EngineStatus
        {
            Version = EngineStatus.ThisVersion,
            ProcessId = Environment.ProcessId,
            SocketPath = SocketPath,
            StartedAt = StartedAt,
            RunningStatements = RunningStatements,
            DataDirectory = administration?.DataDirectory,
            Databases = databases,
        });
    }

    /// <summary>The answer to <c>listDatabases</c>: the databases, or an <c>error</c> frame saying why there are none.</summary>
    private byte[] DatabasesFrame()
    {
        if (_engine is not IDatabaseAdministration administration)
        {
            return FrameEncoder.Error("This engine has no databases to list.");
        }

        try
        {
            return FrameEncoder.Databases(administration.ListDatabases());
        }
        catch (IOException e)
        {
            return FrameEncoder.Error($"The databases cannot be listed: {e.Message}");
        }
    }

    private void Log(LogLevel level, string line)
    {
        var logger = _options.Logger;
        if (logger is null || !logger.IsEnabled(level))
        {
            return;
        }

        try
        {
            WriteLog(logger, level, line);
        }
        catch (ObjectDisposedException)
        {
            // The log was closed under us: the daemon keeps serving.
        }
    }

    // The text is built by each caller; the one template keeps it a single structured value.
    [LoggerMessage(EventId = 1, Message = "{Text}")]
    private static partial void WriteLog(ILogger logger, LogLevel level, string text);

    private static uint ResolveGroup(string group)
    {
        if (uint.TryParse(group, NumberStyles.None, CultureInfo.InvariantCulture, out uint gid))
        {
            return gid;
        }

        return UnixNative.TryGetGroupId(group, out gid)
            ? gid
            : throw new ArgumentException($"There is no group named '{group}'.", nameof(group));
    }
}
