using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using OpenVdi.Engine.Execution;
using OpenVdi.Engine.Listening;

namespace OpenVdi.Engine.Tds;

/// <summary>
/// The engine's TDS front door: SQL Server's own protocol (TDS 7.4, over TCP), so that standard clients
/// (Microsoft.Data.SqlClient, tedious, sqlcmd …) log in and send BACKUP and RESTORE statements as they would to SQL
/// Server, and read its messages and result sets back. PRELOGIN with TLS (TLS 1.2 inside PRELOGIN packets, as TDS 7.x
/// does), LOGIN7 with SQL authentication against <see cref="TdsServerOptions.Logins"/>, SQL batches and RPC
/// sp_executesql, messages as INFO and ERROR tokens, result sets, DONE with its status bits, ATTENTION to cancel.
/// Connections are served concurrently, each one request at a time (no MARS).
/// </summary>
/// <remarks>
/// Limits keep a hostile or idle crowd from holding the engine: a login must complete within
/// <see cref="TdsServerOptions.LoginTimeout"/>, a logged-in connection with nothing to do is closed after
/// <see cref="TdsServerOptions.IdleTimeout"/>, at most <see cref="TdsServerOptions.MaxConnections"/> connections are
/// open, and a malformed message closes its connection only. See docs/tds.md.
/// </remarks>
public sealed class TdsServer : IAsyncDisposable
{
    private const int ListenBacklog = 512;

    private readonly IStatementEngine _engine;
    private readonly TdsServerOptions _options;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private readonly HashSet<TdsSession> _sessions = [];
    private Socket? _listener;
    private Task _acceptLoop = Task.CompletedTask;
    private Task? _stopped;
    private SslServerAuthenticationOptions? _tls;
    private long _lastSessionId;
    private int _started;

    /// <summary>Prepares a server; nothing is bound until <see cref="Start"/>.</summary>
    /// <param name="engine">Runs the statements.</param>
    /// <param name="options">Endpoint, logins, certificate, log and limits.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">No login is configured, or a limit is not positive.</exception>
    public TdsServer(IStatementEngine engine, TdsServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Logins.IsEmpty)
        {
            throw new ArgumentException("No TDS login is configured, so nobody could log in: give one with --tds-login NAME (its password from OPENVDI_TDS_PASSWORD or --tds-password-file).", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConnections, 1, nameof(options));
        if (options.Certificate is { HasPrivateKey: false })
        {
            throw new ArgumentException("The TDS certificate has no private key.", nameof(options));
        }

        _engine = engine;
        _options = options;
        ServerName = options.ServerName ?? Environment.MachineName;
    }

    /// <summary>The address and port it listens on (the actual port when port 0 was asked); null before <see cref="Start"/>.</summary>
    public IPEndPoint? LocalEndPoint { get; private set; }

    /// <summary>The certificate TLS uses (the self-signed one made at start, when none was given); null before <see cref="Start"/>.</summary>
    public X509Certificate2? Certificate { get; private set; }

    /// <summary>The connections open now.</summary>
    public int ActiveConnections
    {
        get
        {
            lock (_lock)
            {
                return _sessions.Count;
            }
        }
    }

    internal string ServerName { get; }

    internal TdsServerOptions Options => _options;

    internal IStatementEngine Engine => _engine;

    internal SslServerAuthenticationOptions Tls => _tls ?? throw new InvalidOperationException("The server has not started.");

    internal CancellationToken Stopping => _stopping.Token;

    /// <summary>Binds and starts accepting connections; when this returns, clients can connect.</summary>
    /// <exception cref="InvalidOperationException">Already started.</exception>
    /// <exception cref="ObjectDisposedException">Stopped.</exception>
    /// <exception cref="SocketException">The address cannot be bound (in use, not this machine's).</exception>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The TDS server was already started.");
        }

        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        bool selfSigned = _options.Certificate is null;
        Certificate = _options.Certificate ?? TdsCertificates.CreateSelfSigned(Dns.GetHostName());
        _tls = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = SslStreamCertificateContext.Create(Certificate, additionalCertificates: null, offline: true),

            // TDS 7.x carries TLS 1.2 inside PRELOGIN; SQL Server speaks TLS 1.3 only in TDS 8.
            EnabledSslProtocols = SslProtocols.Tls12,
            ClientCertificateRequired = false,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };

        var listener = new Socket(_options.Endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(_options.Endpoint);
            listener.Listen(ListenBacklog);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        _listener = listener;
        LocalEndPoint = (IPEndPoint)listener.LocalEndPoint!;
        Log(string.Create(CultureInfo.InvariantCulture,
            $"tds: listening on {LocalEndPoint} (TDS 7.4), logins: {string.Join(", ", _options.Logins.Names)}; {(_options.AllowUnencrypted ? "unencrypted sessions allowed" : "encryption required")}"));
        Log($"tds: TLS certificate ({(selfSigned ? "self-signed, made now" : "given")}): {TdsCertificates.Describe(Certificate)}");
        _acceptLoop = AcceptLoopAsync(listener);
    }

    /// <summary>Stops accepting, cancels every running statement, and closes every connection. Safe to call more than once.</summary>
    /// <returns>A task that ends once every connection is closed.</returns>
    public Task StopAsync()
    {
        lock (_lock)
        {
            return _stopped ??= StopCoreAsync();
        }
    }

    /// <summary>Stops the server (<see cref="StopAsync"/>).</summary>
    /// <returns>A task that ends once the server has stopped.</returns>
    public ValueTask DisposeAsync() => new(StopAsync());

    private async Task StopCoreAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener?.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        TdsSession[] open;
        lock (_lock)
        {
            open = [.. _sessions];
        }

        await Task.WhenAll(open.Select(s => s.Completion)).ConfigureAwait(false);
        if (_listener is not null)
        {
            Log("tds: stopped");
        }

        if (_options.Certificate is null)
        {
            Certificate?.Dispose();
        }
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (await SocketAccept.NextAsync(listener, message => Log($"tds: accept failed: {message}"), _stopping.Token).ConfigureAwait(false) is { } client)
        {
            long id = Interlocked.Increment(ref _lastSessionId);
            TdsSession? session = null;
            lock (_lock)
            {
                if (_sessions.Count < _options.MaxConnections)
                {
                    session = new TdsSession(this, client, id);
                    _sessions.Add(session);
                }
            }

            if (session is null)
            {
                Log(string.Create(CultureInfo.InvariantCulture, $"tds#{id} refused {client.RemoteEndPoint}: the limit of {_options.MaxConnections} connections is reached"));
                client.Dispose();
                continue;
            }

            session.Start();
        }
    }

    internal void Forget(TdsSession session)
    {
        lock (_lock)
        {
            _sessions.Remove(session);
        }
    }

    internal bool DatabaseExists(string name) =>
        name.Equals("master", StringComparison.OrdinalIgnoreCase) || (_options.DatabaseExists?.Invoke(name) ?? false);

    internal void Log(string line)
    {
        var log = _options.Log;
        if (log is null)
        {
            return;
        }

        lock (log)
        {
            try
            {
                log.WriteLine(line);
                log.Flush();
            }
            catch (ObjectDisposedException)
            {
                // The log was closed under us: the server keeps serving.
            }
        }
    }
}
