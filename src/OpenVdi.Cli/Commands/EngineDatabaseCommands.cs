using System.CommandLine;
using System.Globalization;
using OpenVdi.Cli.Client;
using OpenVdi.Cli.CommandLine;
using OpenVdi.Cli.Output;
using OpenVdi.Engine.Databases;
using OpenVdi.Engine.Execution;
using OpenVdi.Engine.Format;

namespace OpenVdi.Cli.Commands;

/// <summary><c>vdi engine create-sample|register</c>: databases made in the engine's data directory, with or without a daemon running.</summary>
internal static class EngineDatabaseCommands
{
    private static readonly Option<long> s_size = new("--size")
    {
        Description = "Total size over its files: bytes, or with KiB, MiB, GiB, TiB (default 256MiB)",
        HelpName = "SIZE",
        DefaultValueFactory = _ => 256L << 20,
        CustomParser = result => CommonOptions.Size(result, 0, 1L << 44),
    };

    private static readonly Option<int> s_seed = new("--seed")
    {
        Description = "Picks the content; the same seed gives the same bytes (default 1)",
        HelpName = "N",
        DefaultValueFactory = _ => 1,
        CustomParser = result => CommonOptions.Number(result, int.MinValue, int.MaxValue),
    };

    private static readonly Option<List<string>> s_file = new("--file")
    {
        Description = "A data file (repeatable; the first is the primary): attached in place, never deleted",
        HelpName = "PATH",
        Required = true,
        CustomParser = Files,
    };

    private static readonly Option<List<string>> s_log = new("--log")
    {
        Description = "A log file (repeatable)",
        HelpName = "PATH",
        CustomParser = Files,
    };

    public static Command CreateSample(CliTerminal terminal)
    {
        var command = new Command("create-sample", "Make a sample database of realistic, compressible pages (data files and a log) in the engine's data directory")
        {
            CommonOptions.Name, s_size, CommonOptions.Data, s_seed,
        };
        command.SetAction((parse, _) =>
        {
            using var output = CommandOutput.Create(terminal, "engine create-sample", parse.GetValue(CommonOptions.Json), parse.GetValue(CommonOptions.Quiet));
            string name = parse.GetRequiredValue(CommonOptions.Name);
            long size = parse.GetValue(s_size);
            string dataDirectory = DataDirectory.Resolve(parse.GetValue(CommonOptions.Data));
            long written = 0;
            var monitor = new TransferMonitor("create-sample", () => Interlocked.Read(ref written), size);
            using var interruption = new Interruption();
            try
            {
                DataDirectory.EnsureExists(dataDirectory);
                output.StartProgress(monitor);
                var database = SampleDatabase.Create(dataDirectory, name, size, parse.GetValue(s_seed), bytes => Interlocked.Exchange(ref written, bytes), interruption.Token);
                var progress = monitor.Sample();
                output.StopProgress();
                PrintFiles(database, output);
                return Task.FromResult(output.Finish(CommandResult.Success(
                    string.Create(CultureInfo.InvariantCulture,
                        $"created database '{database.Name}' in {database.Directory}: {ClientRun.Plural(database.Files.Count, "file")}, {ByteSize.Format(size)} in {progress.Elapsed.TotalSeconds:0.00} s ({ByteSize.Rate(size, progress.Elapsed)})"),
                    Details(database, size, progress.Elapsed))));
            }
            catch (OperationCanceledException)
            {
                output.StopProgress();
                return Task.FromResult(output.Finish(CommandResult.Failure(interruption.ExitCode ?? ExitCodes.Interrupted, $"cancelled; nothing of '{name}' was left behind.")));
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or ArgumentException or UnauthorizedAccessException)
            {
                output.StopProgress();
                return Task.FromResult(output.Finish(CommandResult.Failure(ExitCodes.Failed, e.Message)));
            }
        });
        return command;
    }

    public static Command Register(CliTerminal terminal)
    {
        var command = new Command("register", "Make existing files (a SQLite file, say) a database of the engine, attached in place: backups read them where they are")
        {
            CommonOptions.Name, s_file, s_log, CommonOptions.Data,
        };
        command.SetAction((parse, _) =>
        {
            using var output = CommandOutput.Create(terminal, "engine register", parse.GetValue(CommonOptions.Json), parse.GetValue(CommonOptions.Quiet));
            string name = parse.GetRequiredValue(CommonOptions.Name);
            var files = Specs(name, parse.GetValue(s_file) ?? [], parse.GetValue(s_log) ?? []);
            string dataDirectory = DataDirectory.Resolve(parse.GetValue(CommonOptions.Data));
            try
            {
                DataDirectory.EnsureExists(dataDirectory);
                var database = new DatabaseCatalogue(dataDirectory).Register(name, files);
                long size = database.Files.Sum(f => new FileInfo(database.GetFullPath(f)).Length);
                PrintFiles(database, output);
                return Task.FromResult(output.Finish(CommandResult.Success(
                    $"registered database '{database.Name}' in {database.Directory}: {ClientRun.Plural(database.Files.Count, "file")}, {ByteSize.Format(size)}",
                    Details(database, size, null))));
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or ArgumentException or UnauthorizedAccessException)
            {
                return Task.FromResult(output.Finish(CommandResult.Failure(ExitCodes.Failed, e.Message)));
            }
        });
        return command;
    }

    /// <summary>The files with their logical names, paths made absolute (the daemon may run elsewhere).</summary>
    internal static List<DatabaseFileSpec> Specs(string name, IReadOnlyList<string> dataFiles, IReadOnlyList<string> logFiles)
    {
        var files = new List<DatabaseFileSpec>();
        for (int i = 0; i < dataFiles.Count; i++)
        {
            string logical = i == 0 ? name : string.Create(CultureInfo.InvariantCulture, $"{name}_{i + 1}");
            files.Add(new DatabaseFileSpec(logical, Path.GetFullPath(dataFiles[i]), DatabaseFileType.Data));
        }

        for (int i = 0; i < logFiles.Count; i++)
        {
            string logical = i == 0 ? $"{name}_log" : string.Create(CultureInfo.InvariantCulture, $"{name}_log{i + 1}");
            files.Add(new DatabaseFileSpec(logical, Path.GetFullPath(logFiles[i]), DatabaseFileType.Log));
        }

        return files;
    }

    /// <summary>A database's files, one a line: logical name, type, full path.</summary>
    private static void PrintFiles(DatabaseInfo database, CommandOutput output)
    {
        foreach (var file in database.Files)
        {
            output.Info($"  {file.LogicalName,-24} {file.Type,-5} {database.GetFullPath(file)}");
        }
    }

    private static ResultEvent Details(DatabaseInfo database, long size, TimeSpan? elapsed) => new()
    {
        Database = database.Name,
        Directory = database.Directory,
        Bytes = size,
        ElapsedSeconds = elapsed is { } e ? Math.Round(e.TotalSeconds, 3) : null,
        Databases =
        [
            EngineAdministrationCommands.Entry(DatabaseSummary.Of(database)),
        ],
    };

    private static List<string> Files(System.CommandLine.Parsing.ArgumentResult result)
    {
        var paths = new List<string>();
        foreach (var token in result.Tokens)
        {
            if (string.IsNullOrWhiteSpace(token.Value))
            {
                result.AddError($"{CommonOptions.OptionName(result)} needs a file, not an empty path");
                continue;
            }

            string full = Path.GetFullPath(token.Value);
            if (Directory.Exists(full))
            {
                result.AddError($"{CommonOptions.OptionName(result)} '{token.Value}' is a directory; it needs a file");
            }

            paths.Add(full);
        }

        return paths;
    }
}
