using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using OpenVdi.Cli.Client;
using OpenVdi.Cli.CommandLine;
using OpenVdi.Cli.Serve;
using OpenVdi.Cli.SqlServer;
using OpenVdi.Engine.Databases;
using OpenVdi.Engine.FrontDoor;

namespace OpenVdi.Cli.Commands;

/// <summary>
/// <c>vdi demo</c>: the whole tool in one run. Starts the engine daemon as a separate process, makes a sample
/// database, backs it up over several virtual devices to stripe files, verifies them, restores them under a new name,
/// and compares every file byte for byte; then stops the daemon and removes everything it made.
/// </summary>
internal sealed class DemoCommand : ICliCommand
{
    private const string Database = "demo";
    private const string Copy = "demo_copy";
    private const string TdsCopy = "demo_tds";
    private const string TdsLogin = "demo";
    private const string MessageIndent = "              ";
    private static readonly TimeSpan s_startLimit = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_stopLimit = TimeSpan.FromSeconds(30);

    public string Name => "demo";

    public string Summary => "Back a sample database up and restore it through the engine daemon, end to end";

    public string Usage => """
        Usage: vdi demo [--size SIZE] [--devices N] [--keep]

        Starts 'vdi engine serve' as a separate process on a private socket and data directory, creates a sample
        database, backs it up over N virtual devices to stripe files, verifies them (RESTORE VERIFYONLY), restores
        them as a new database, and compares every restored file with the original byte for byte, printing the time
        and throughput of each step. Then the same backup and restore over TDS, SQL Server's protocol: the engine's
        TDS port (--tds, TLS, a login with a random password) takes the statements from Microsoft.Data.SqlClient,
        as 'vdi backup --server' sends them. Then stops the daemon and removes its temporary directory. Exit code 0
        only if every step succeeded.

        Options:
          --size SIZE   the sample database's size (default 256MiB)
          --devices N   devices (stripes) of the backup, 1 to 64 (default 4)
          --keep        keep the temporary directory (databases, stripe files) and print where it is
        """;

    public int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        long size = 256L << 20;
        int devices = 4;
        bool keep = false;
        var options = new OptionReader(args);
        while (options.Next() is { } option)
        {
            switch (option)
            {
                case "--size": size = ByteSize.Parse(option, options.Value(option), 1 << 20, 1L << 40); break;
                case "--devices": devices = (int)options.Number(option, 1, 64); break;
                case "--keep": keep = true; break;
                default: throw new UsageException($"unknown option {option}");
            }
        }

        using var interruption = new Interruption();
        return RunAsync(size, devices, keep, output, error, interruption.Token).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(long size, int devices, bool keep, TextWriter output, TextWriter error, CancellationToken cancel)
    {
        string root = Directory.CreateTempSubdirectory("openvdi-demo-").FullName;
        string data = Path.Combine(root, "data");
        string backup = Path.Combine(root, "backup");
        string socket = Path.Combine(root, EngineSocketPath.FileName);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"OpenVdi demo: a {ByteSize.Format(size)} sample database through the engine daemon and {devices} virtual devices, and back."));

        EngineProcess? engine = null;
        bool succeeded = false;
        try
        {
            var elapsed = Stopwatch.StartNew();
            string password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
            engine = await EngineProcess.StartAsync(data, socket, s_startLimit, cancel, ["--tds", "127.0.0.1:0", "--tds-login", TdsLogin], new Dictionary<string, string> { [TdsFrontDoorSettings.PasswordVariable] = password }).ConfigureAwait(false);
            Step(output, "engine", $"'vdi engine serve', pid {engine.ProcessId.ToString(CultureInfo.InvariantCulture)}, on {socket}", elapsed.Elapsed, null);
            string tdsEndpoint = engine.TdsEndpoint ?? throw new IOException("The engine did not say where its TDS port listens.");
            output.WriteLine($"  {"tds",-9} and TDS, SQL Server's protocol, on {tdsEndpoint} (login '{TdsLogin}', TLS)");

            // 1. The sample database, in the daemon's data directory (the catalogue is shared through the files).
            elapsed.Restart();
            var original = SampleDatabase.Create(data, Database, size, seed: 1, cancellationToken: cancel);
            Step(output, "create", $"sample database '{Database}': {Plural(original.Files.Count, "file")}, {ByteSize.Format(size)}", elapsed.Elapsed, size);

            var messages = new StringWriter(CultureInfo.InvariantCulture);
            var application = new BackupApplication(new EngineClient(socket), new ConsoleStatementSink(messages, messages, MessageIndent));
            var transfer = new TransferOptions(BlockSize: 64 << 10, MaxTransferSize: 1 << 20);

            // 2. BACKUP over the devices to stripe files.
            var result = await application.BackupAsync(Database, backup, devices, transfer, checksum: true, cancel).ConfigureAwait(false);
            if (!Check(result, "backup", $"BACKUP DATABASE [{Database}] WITH CHECKSUM to {Plural(result.Files.Count, "stripe file")}, {ByteSize.Format(result.Bytes)}", messages, output, error))
            {
                return Fail(engine, error, cancel);
            }

            // 3. RESTORE VERIFYONLY from them.
            result = await application.VerifyAsync(backup, stats: null, cancel).ConfigureAwait(false);
            if (!Check(result, "verify", $"RESTORE VERIFYONLY from the {Plural(result.Files.Count, "stripe file")}", messages, output, error))
            {
                return Fail(engine, error, cancel);
            }

            // 4. RESTORE as a new database.
            result = await application.RestoreAsync(backup, Copy, replace: false, moves: [], stats: null, cancel).ConfigureAwait(false);
            if (!Check(result, "restore", $"RESTORE DATABASE [{Copy}] from the {Plural(result.Files.Count, "stripe file")}", messages, output, error))
            {
                return Fail(engine, error, cancel);
            }

            // 5. Every file of the copy against the original.
            elapsed.Restart();
            var catalogue = new DatabaseCatalogue(data);
            var (compared, difference) = FileComparison.Compare(catalogue.Get(Database), catalogue.Get(Copy));
            if (difference is not null)
            {
                error.WriteLine($"  compare   FAILED: {difference}");
                return ResultPrinter.FailureExitCode;
            }

            Step(output, "compare", $"{Plural(original.Files.Count, "file")} of '{Copy}' against '{Database}': identical, byte for byte", elapsed.Elapsed, compared);

            // 6. The same over TDS: SqlClient sends the statements to the engine's TDS port, as it would to SQL Server.
            string[] endpoint = tdsEndpoint.Split(':');
            var overTds = new BackupApplication(
                new SqlServerStatementEngine($"Server={endpoint[0]},{endpoint[1]};User Id={TdsLogin};Password={password};Encrypt=true;TrustServerCertificate=true;Pooling=false"),
                new ConsoleStatementSink(messages, messages, MessageIndent));
            string backupTds = Path.Combine(root, "backup-tds");
            result = await overTds.BackupAsync(Database, backupTds, devices, transfer, checksum: true, cancel).ConfigureAwait(false);
            if (!Check(result, "backup", $"the same over TDS (vdi backup --server): {Plural(result.Files.Count, "stripe file")}", messages, output, error))
            {
                return Fail(engine, error, cancel);
            }

            result = await overTds.RestoreAsync(backupTds, TdsCopy, replace: false, moves: [], stats: null, cancel).ConfigureAwait(false);
            if (!Check(result, "restore", $"RESTORE DATABASE [{TdsCopy}] over TDS (vdi restore --server)", messages, output, error))
            {
                return Fail(engine, error, cancel);
            }

            elapsed.Restart();
            (compared, difference) = FileComparison.Compare(catalogue.Get(Database), catalogue.Get(TdsCopy));
            if (difference is not null)
            {
                error.WriteLine($"  compare   FAILED: {difference}");
                return ResultPrinter.FailureExitCode;
            }

            Step(output, "compare", $"{Plural(original.Files.Count, "file")} of '{TdsCopy}' against '{Database}': identical, byte for byte", elapsed.Elapsed, compared);
            succeeded = true;
            return 0;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("demo cancelled");
            return ResultPrinter.CancelledExitCode;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException or VdiException)
        {
            error.WriteLine($"demo failed: {e.Message}");
            return ResultPrinter.FailureExitCode;
        }
        finally
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
                output.WriteLine($"  cleanup   {stopped}; kept {root}");
            }
            else
            {
                try
                {
                    Directory.Delete(root, recursive: true);
                    output.WriteLine($"  cleanup   {stopped}; temporary directory removed");
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    error.WriteLine($"  cleanup   {stopped}; {root} could not be removed: {e.Message}");
                }
            }

            output.WriteLine(succeeded ? "demo succeeded" : "demo FAILED");
        }
    }

    /// <summary>Prints a step's line and, under it, the engine's messages of the step; false when it failed.</summary>
    private static bool Check(OperationResult result, string step, string what, StringWriter messages, TextWriter output, TextWriter error)
    {
        string said = messages.ToString();
        messages.GetStringBuilder().Clear();
        if (result.Succeeded)
        {
            Step(output, step, what, result.Elapsed, result.Bytes);
            output.Write(said);
            return true;
        }

        string reason = result.Problem
            ?? (result.Outcome?.FirstError is { } first ? $"Msg {first.Number.ToString(CultureInfo.InvariantCulture)}: {first.Text}" : "the statement failed");
        error.WriteLine($"  {step,-9} FAILED: {reason}");
        error.Write(said);
        return false;
    }

    private static int Fail(EngineProcess engine, TextWriter error, CancellationToken cancel)
    {
        if (cancel.IsCancellationRequested)
        {
            return ResultPrinter.CancelledExitCode;
        }

        error.WriteLine("  engine log:");
        foreach (string line in engine.Output.Split('\n').TakeLast(20))
        {
            error.WriteLine("    " + line);
        }

        return ResultPrinter.FailureExitCode;
    }

    private static void Step(TextWriter output, string step, string what, TimeSpan elapsed, long? bytes)
    {
        string rate = bytes is { } b ? ByteSize.Rate(b, elapsed) : string.Empty;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {step,-9} {what,-72} {elapsed.TotalSeconds,6:0.00} s {rate,12}").TrimEnd());
    }

    private static string Plural(int count, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? string.Empty : "s")}");
}
