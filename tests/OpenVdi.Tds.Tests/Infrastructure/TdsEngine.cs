using System.Security.Cryptography;
using Microsoft.Data.SqlClient;
using OpenVdi.Engine.Databases;
using OpenVdi.Engine.Execution;
using OpenVdi.Engine.Tds;

namespace OpenVdi.Tds.Tests.Infrastructure;

/// <summary>
/// The engine with its TDS front door, in this process, on a free loopback port: a temporary data directory with a
/// sample database 'sales', one login 'backup' with a random password, a self-signed certificate, the log recorded.
/// </summary>
public sealed class TdsEngine : IAsyncDisposable
{
    public const string Login = "backup";
    public const string SampleDatabase = "sales";

    private TdsEngine(string root, StatementEngine engine, TdsServer server, LogRecorder log, string password, DatabaseInfo sample)
    {
        Root = root;
        Engine = engine;
        Server = server;
        Log = log;
        Password = password;
        Sample = sample;
    }

    public string Root { get; }

    public StatementEngine Engine { get; }

    public TdsServer Server { get; }

    public LogRecorder Log { get; }

    public string Password { get; }

    public DatabaseInfo Sample { get; }

    public int Port => Server.LocalEndPoint!.Port;

    /// <summary>Starts an engine and its TDS port.</summary>
    /// <param name="configure">Changes to the server's options (limits, unencrypted sessions).</param>
    /// <param name="setOpenTimeout">How long a statement waits for its virtual device set.</param>
    /// <param name="sampleSize">The sample database's size.</param>
    /// <param name="flushInterval">A BACKUP's VDC_Flush interval per device.</param>
    public static TdsEngine Start(Func<TdsServerOptions, TdsServerOptions>? configure = null, TimeSpan? setOpenTimeout = null, long sampleSize = (3 << 20) + 12288, long flushInterval = 1L << 30)
    {
        string root = Directory.CreateTempSubdirectory("ovdi-tds-").FullName;
        string data = Path.Combine(root, "data");
        var sample = OpenVdi.Engine.Databases.SampleDatabase.Create(data, SampleDatabase, sampleSize, seed: 5);
        var engine = new StatementEngine(new EngineOptions
        {
            DataDirectory = data,
            SetOpenTimeout = setOpenTimeout ?? TimeSpan.FromSeconds(30),
            FlushInterval = flushInterval,
        });
        string password = "Pw-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
        var logins = new TdsLogins();
        logins.Add(Login, password);
        var log = new LogRecorder();
        var options = new TdsServerOptions
        {
            Endpoint = TdsEndpoint.Parse("127.0.0.1:0"),
            Logins = logins,
            Log = log,
            DatabaseExists = name => engine.Catalogue.TryGet(name, out _),
        };
        var server = new TdsServer(engine, configure?.Invoke(options) ?? options);
        server.Start();
        return new TdsEngine(root, engine, server, log, password, sample);
    }

    /// <summary>A SqlClient connection string for this engine; pooling off, so that every test sees its own connections.</summary>
    public string ConnectionString(string? password = null, string login = Login, bool encrypt = true, bool trust = true) => new SqlConnectionStringBuilder
    {
        DataSource = $"127.0.0.1,{Port}",
        UserID = login,
        Password = password ?? Password,
        Encrypt = encrypt ? SqlConnectionEncryptOption.Mandatory : SqlConnectionEncryptOption.Optional,
        TrustServerCertificate = trust,
        Pooling = false,
        ConnectTimeout = 30,
    }.ConnectionString;

    /// <summary>Awaits <paramref name="task"/>; past <paramref name="limit"/>, fails the test with what it waited for and the server's log.</summary>
    public async Task<T> Within<T>(Task<T> task, TimeSpan limit, string what)
    {
        try
        {
            return await task.WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"{what} did not end within {limit.TotalSeconds:0} s. The TDS server's log:\n{string.Join('\n', Log.Lines)}");
            throw;
        }
    }

    public string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>A checksummed full backup of the sample database into <paramref name="directory"/> on <paramref name="devices"/> stripes.</summary>
    internal static OpenVdi.Cli.Client.BackupRequest BackupOfSample(string directory, int devices = 1, int? stats = null) =>
        new() { Database = SampleDatabase, Directory = directory, Devices = devices, Transfer = new OpenVdi.Cli.Client.TransferOptions(Stats: stats) };

    public async ValueTask DisposeAsync()
    {
        await Server.StopAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a process the test started: the temporary directory is left to the system.
        }
    }
}
