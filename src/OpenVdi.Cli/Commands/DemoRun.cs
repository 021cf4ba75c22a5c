using System.Diagnostics;
using System.Globalization;
using OpenVdi.Cli.Client;
using OpenVdi.Cli.CommandLine;
using OpenVdi.Cli.Output;
using OpenVdi.Cli.Serve;
using OpenVdi.Cli.SqlServer;
using OpenVdi.Engine.Databases;
using OpenVdi.Engine.Execution;
using OpenVdi.Engine.FrontDoor;

namespace OpenVdi.Cli.Commands;

/// <summary>
/// One run of <c>vdi demo</c>: starts the engine daemon as a separate process, makes a sample database, backs it up
/// over several virtual devices to stripe files, verifies them, restores them under a new name, and compares every
/// file byte for byte; then the same backup and restore over TDS, SQL Server's protocol (the engine's TDS port, with
/// TLS and a login whose random password never reaches a command line, takes the statements from
/// Microsoft.Data.SqlClient as <c>vdi backup --server</c> sends them); then stops the daemon and removes everything it
/// made. Each step is one line with its time and throughput, the engine's messages under it.
/// </summary>
internal sealed class DemoRun : IDisposable
{
    private const string Database = "demo";
    private const string Copy = "demo_copy";
    private const string TdsCopy = "demo_tds";
    private const string TdsLogin = "demo";
    private const string MessageIndent = "              ";
    private static readonly TimeSpan s_startLimit = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_stopLimit = TimeSpan.FromSeconds(30);

    private readonly CommandOutput _output;
    private readonly bool _json;
    private readonly int _devices;
    private readonly Interruption _interruption;
    private readonly StringWriter _messages = new(CultureInfo.InvariantCulture);

    public DemoRun(CommandOutput output, bool json, int devices, Interruption interruption)
    {
        _output = output;
        _json = json;
        _devices = devices;
        _interruption = interruption;
    }

    public void Dispose() => _messages.Dispose();

    public async Task<CommandResult> RunAsync(long size, bool keep)
    {
        var cancel = _interruption.Token;
        string root = Directory.CreateTempSubdirectory("openvdi-demo-").FullName;
        string data = Path.Combine(root, "data");
        string backup = Path.Combine(root, "backup");
        string socket = Path.Combine(root, EngineSocketPath.FileName);
        _output.Info(string.Create(CultureInfo.InvariantCulture,
            $"OpenVdi demo: a {ByteSize.Format(size)} sample database through the engine daemon and {_devices} virtual devices, and back."));

        EngineProcess? engine = null;
        CommandResult? result = null;
        try
        {
            var elapsed = Stopwatch.StartNew();
            string password = "Demo-" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));
            engine = await EngineProcess.StartAsync(
                data, socket, s_startLimit, cancel,
                ["--tds", "127.0.0.1:0", "--tds-login", TdsLogin],
                new Dictionary<string, string> { [TdsFrontDoorSettings.PasswordVariable] = password }).ConfigureAwait(false);
            string tdsEndpoint = engine.TdsEndpoint ?? throw new IOException("The engine did not say where its TDS port listens.");
            Step("engine", $"'vdi engine serve', pid {engine.ProcessId.ToString(CultureInfo.InvariantCulture)}, on {socket}", elapsed.Elapsed, null);
            _output.Info($"  {"tds",-9} and TDS, SQL Server's protocol, on {tdsEndpoint} (login '{TdsLogin}', TLS)");

            // 1. The sample database, in the daemon's data directory (the catalogue is shared through the files).
            elapsed.Restart();
            var original = SampleDatabase.Create(data, Database, size, seed: 1);
            Step("create", $"sample database '{Database}': {ClientRun.Plural(original.Files.Count, "file")}, {ByteSize.Format(size)}", elapsed.Elapsed, size);

            IStatementSink sink = _json ? _output : new ConsoleStatementSink(_messages, _messages, MessageIndent);
            var application = new BackupApplication(new EngineClient(socket), sink) { Observer = _output, Timeout = CommonOptions.DefaultTimeout };

            // 2. BACKUP over the devices to stripe files.
            var request = new BackupRequest { Database = Database, Directory = backup, Devices = _devices, Transfer = new TransferOptions(BlockSize: 64 << 10, MaxTransferSize: 1 << 20) };
            var backedUp = await application.BackupAsync(request, cancel).ConfigureAwait(false);
            if (!Check(backedUp, "backup", $"BACKUP DATABASE [{Database}] WITH CHECKSUM to {ClientRun.Plural(backedUp.Files.Count, "stripe file")}, {ByteSize.Format(backedUp.Bytes)}"))
            {
                return result = Fail(engine, backedUp, "backup");
            }

            // 3. RESTORE VERIFYONLY from them.
            var verified = await application.VerifyAsync(backup, stats: null, cancel).ConfigureAwait(false);
            if (!Check(verified, "verify", $"RESTORE VERIFYONLY from the {ClientRun.Plural(verified.Files.Count, "stripe file")}"))
            {
                return result = Fail(engine, verified, "verify");
            }

            // 4. RESTORE as a new database.
            var restored = await application.RestoreAsync(new RestoreRequest { Directory = backup, Database = Copy }, cancel).ConfigureAwait(false);
            if (!Check(restored, "restore", $"RESTORE DATABASE [{Copy}] from the {ClientRun.Plural(restored.Files.Count, "stripe file")}"))
            {
                return result = Fail(engine, restored, "restore");
            }

            // 5. Every file of the copy against the original.
            if (Compare(data, Copy, original) is { } differs)
            {
                return result = differs;
            }

            // 6. The same over TDS: SqlClient sends the statements to the engine's TDS port, as it would to SQL Server.
            string[] endpoint = tdsEndpoint.Split(':');
            var overTds = new BackupApplication(
                new SqlServerStatementEngine($"Server={endpoint[0]},{endpoint[1]};User Id={TdsLogin};Password={password};Encrypt=true;TrustServerCertificate=true;Pooling=false"),
                sink)
            { Observer = _output, Timeout = CommonOptions.DefaultTimeout };
            string backupTds = Path.Combine(root, "backup-tds");
            var tdsBackedUp = await overTds.BackupAsync(request with { Directory = backupTds }, cancel).ConfigureAwait(false);
            if (!Check(tdsBackedUp, "backup", $"the same over TDS (vdi backup --server): {ClientRun.Plural(tdsBackedUp.Files.Count, "stripe file")}"))
            {
                return result = Fail(engine, tdsBackedUp, "backup over TDS");
            }

            var tdsRestored = await overTds.RestoreAsync(new RestoreRequest { Directory = backupTds, Database = TdsCopy }, cancel).ConfigureAwait(false);
            if (!Check(tdsRestored, "restore", $"RESTORE DATABASE [{TdsCopy}] over TDS (vdi restore --server)"))
            {
                return result = Fail(engine, tdsRestored, "restore over TDS");
            }

            if (Compare(data, TdsCopy, original) is { } tdsDiffers)
            {
                return result = tdsDiffers;
            }
            return result = CommandResult.Success("demo succeeded", new ResultEvent { Database = Database, Bytes = size, Directory = keep ? root : null });
        }
        catch (OperationCanceledException)
        {
            return result = CommandResult.Failure(_interruption.ExitCode ?? ExitCodes.Interrupted, "demo cancelled");
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException or VdiException)
        {
            return result = CommandResult.Failure(ExitCodes.Failed, $"demo failed: {e.Message}");
        }
        finally
        {
            await CleanUpAsync(engine, root, keep).ConfigureAwait(false);
            if (result is { Succeeded: false })
            {
                _output.Info("demo FAILED");
            }
        }
    }

    /// <summary>Every file of <paramref name="copy"/> against the original: null when identical (and the step is printed), else the failure.</summary>
    private CommandResult? Compare(string data, string copy, DatabaseInfo original)
    {
        var elapsed = Stopwatch.StartNew();
        var (compared, difference) = FileComparison.Compare(original, new DatabaseCatalogue(data).Get(copy));
        if (difference is not null)
        {
            return CommandResult.Failure(ExitCodes.Failed, $"compare FAILED: {difference}");
        }

        Step("compare", $"{ClientRun.Plural(original.Files.Count, "file")} of '{copy}' against '{Database}': identical, byte for byte", elapsed.Elapsed, compared);
        return null;
    }

    private async Task CleanUpAsync(EngineProcess? engine, string root, bool keep)
    {
        string stopped = "no engine to stop";
        if (engine is not null)
        {
            int? exit = await engine.StopAsync(s_stopLimit).ConfigureAwait(false);
            stopped = exit is { } code ? $"engine stopped (exit code {code.ToString(CultureInfo.InvariantCulture)})" : "engine killed: it did not stop in time";
            engine.Dispose();
        }

        if (keep)
        {
            _output.Info($"  cleanup   {stopped}; kept {root}");
            return;
        }

        try
        {
            Directory.Delete(root, recursive: true);
            _output.Info($"  cleanup   {stopped}; temporary directory removed");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _output.Info($"  cleanup   {stopped}; {root} could not be removed: {e.Message}");
        }
    }

    /// <summary>Prints a step's line and, under it, the engine's messages of the step; false when it failed.</summary>
    private bool Check(OperationResult result, string step, string what)
    {
        string said = _messages.ToString().TrimEnd();
        _messages.GetStringBuilder().Clear();
        if (result.Succeeded)
        {
            Step(step, what, result.Elapsed, result.Bytes);
        }

        foreach (string line in said.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            _output.Info(line);
        }

        return result.Succeeded;
    }

    private CommandResult Fail(EngineProcess engine, OperationResult failed, string step)
    {
        if (_interruption.ExitCode is { } signalled)
        {
            return CommandResult.Failure(signalled, "demo cancelled");
        }

        _output.Info("  engine log:");
        foreach (string line in engine.Output.Split('\n').TakeLast(20))
        {
            _output.Info("    " + line);
        }

        return CommandResult.Failure(ExitCodes.Failed, $"{step} FAILED: {_output.NameStripes(failed.Reason)}");
    }

    private void Step(string step, string what, TimeSpan elapsed, long? bytes)
    {
        string rate = bytes is { } b ? ByteSize.Rate(b, elapsed) : string.Empty;
        _output.Info(string.Create(CultureInfo.InvariantCulture, $"  {step,-9} {what,-72} {elapsed.TotalSeconds,6:0.00} s {rate,12}").TrimEnd());
    }
}
