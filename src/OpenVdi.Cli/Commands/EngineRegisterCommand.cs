using System.Globalization;
using OpenVdi.Cli.Client;
using OpenVdi.Cli.CommandLine;
using OpenVdi.Engine.Databases;
using OpenVdi.Engine.Format;

namespace OpenVdi.Cli.Commands;

/// <summary><c>vdi engine register</c>: existing files (an application's SQLite database, say) made a database of the engine.</summary>
internal sealed class EngineRegisterCommand : ICliCommand
{
    public string Name => "engine register";

    public string Summary => "Register existing files as a database in the engine's data directory";

    public string Usage => """
        Usage: vdi engine register --name DB --file PATH [--file PATH ...] [--log PATH ...] [--data DIR]

        Makes existing files a database of the engine, ready to back up with BACKUP DATABASE [DB]: an application's
        SQLite file, say. The files stay where they are (a file inside the database's directory is recorded relative
        to it); backups read them, a RESTORE under another name writes copies, and nothing of this command ever
        deletes them. Logical names (what RESTORE ... WITH MOVE refers to) are DB for the first data file, DB_2,
        DB_3 ... for the others, DB_log, DB_log2 ... for the logs; they are printed.

        Options:
          --name DB     the database name (letters, digits, '_', '-', '.')
          --file PATH   a data file (repeatable; at least one)
          --log PATH    a log file (repeatable)
          --data DIR    the engine's data directory (default as 'vdi engine serve')
        """;

    public int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        string? name = null;
        string? data = null;
        var dataFiles = new List<string>();
        var logFiles = new List<string>();
        var options = new OptionReader(args);
        while (options.Next() is { } option)
        {
            switch (option)
            {
                case "--name": name = options.Value(option); break;
                case "--file": dataFiles.Add(options.Value(option)); break;
                case "--log": logFiles.Add(options.Value(option)); break;
                case "--data": data = options.Value(option); break;
                default: throw new UsageException($"unknown option {option}");
            }
        }

        if (name is null || dataFiles.Count == 0)
        {
            throw new UsageException("--name and at least one --file are required");
        }

        if (!DatabaseCatalogue.IsValidName(name))
        {
            throw new UsageException($"'{name}' is not a valid database name: 1 to {DatabaseCatalogue.MaxNameLength} ASCII letters, digits, '_', '-' or '.', not starting with '.'");
        }

        var files = Specs(name, dataFiles, logFiles);
        string dataDirectory = DataDirectory.Resolve(data);
        try
        {
            if (!Directory.Exists(dataDirectory) && !OperatingSystem.IsWindows())
            {
                // As 'vdi engine serve' makes it: the databases are the user's data.
                Directory.CreateDirectory(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            var database = new DatabaseCatalogue(dataDirectory).Register(name, files);
            output.WriteLine($"registered database '{database.Name}' in {database.Directory}: {Plural(database.Files.Count, "file")}, {ByteSize.Format(database.Files.Sum(f => new FileInfo(database.GetFullPath(f)).Length))}");
            ResultPrinter.PrintFiles(database, output);

            return 0;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or ArgumentException or UnauthorizedAccessException)
        {
            error.WriteLine($"vdi engine register: {e.Message}");
            return ResultPrinter.FailureExitCode;
        }
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

    private static string Plural(int count, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? string.Empty : "s")}");
}
