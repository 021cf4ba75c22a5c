using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace OpenVdi.Engine.Tds;

/// <summary>Where and how a <see cref="TdsServer"/> listens, whom it lets in, and its limits.</summary>
public sealed record TdsServerOptions
{
    /// <summary>The address and port (<see cref="TdsEndpoint.Parse"/>); port 0 for a free one.</summary>
    public required IPEndPoint Endpoint { get; init; }

    /// <summary>The SQL logins accepted. Must not be empty: nothing is open to anyone by default.</summary>
    public required TdsLogins Logins { get; init; }

    /// <summary>The TLS certificate, with its private key; null to make a self-signed one at start (its thumbprint is logged).</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>
    /// Whether a client may leave the session unencrypted (<c>Encrypt=false</c> or a client without TLS). Off by
    /// default: the engine then requires encryption for the whole session, as SQL Server with Force Encryption does.
    /// </summary>
    public bool AllowUnencrypted { get; init; }

    /// <summary>
    /// Where connections, logins, statements and refusals are logged, one line each, unstamped (the writer's owner
    /// adds the time and level, as the daemon's logger does); null for no log.
    /// </summary>
    public TextWriter? Log { get; init; }

    /// <summary>The name the messages give as their server; null for the machine's name.</summary>
    public string? ServerName { get; init; }

    /// <summary>How long a connection may take from its first byte to a completed login. Default 15 seconds.</summary>
    public TimeSpan LoginTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a logged-in connection may stay without a request before it is closed. Default 30 minutes.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>How many connections may be open at once; more are closed as they arrive. Default 256.</summary>
    public int MaxConnections { get; init; } = 256;

    /// <summary>Whether a database exists, for USE and a login's initial database; null to know only master.</summary>
    public Func<string, bool>? DatabaseExists { get; init; }
}
