using System.Diagnostics;
using System.Globalization;
using OpenVdi.Cli.Client;
using OpenVdi.Cli.CommandLine;
using OpenVdi.Engine.Databases;

namespace OpenVdi.Cli.Commands;

/// <summary><c>vdi engine create-sample</c>: a synthetic database in the engine's data directory.</summary>
internal sealed class EngineCreateSampleCommand : ICliCommand
{
    public string Name => "engine create-sample";

    public string Summary => "Make a sample database in the engine's data directory";

    public string Usage => """
        Usage: vdi engine create-sample --name DB [--size SIZE] [--data DIR] [--seed N]

        Writes a synthetic database of realistic, compressible pages (data files and a log) and registers it in the
        engine's data directory, ready to back up. The same seed gives the same bytes.

        Options:
          --name DB     the database name (letters, digits, '_', '-', '.')
          --size SIZE   total size over its files: bytes, or with KiB, MiB, GiB, TiB (default 256MiB)
          --data DIR    the engine's data directory (default as 'vdi engine serve')
          --seed N      picks the content (default 1)
        """;

    public int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        string? name = null;
        long size = 256L << 20;
        string? data = null;
        int seed = 1;
        var options = new OptionReader(args);
        while (options.Next() is { } option)
        {
            switch (option)
            {
                case "--name": name = options.Value(option); break;
                case "--size": size = ByteSize.Parse(option, options.Value(option), 0, 1L << 44); break;
                case "--data": data = options.Value(option); break;
                case "--seed": seed = (int)options.Number(option, int.MinValue, int.MaxValue); break;
                default: throw new UsageException($"unknown option {option}");
            }
        }

        if (name is null)
        {
            throw new UsageException("--name is required");
        }

        if (!DatabaseCatalogue.IsValidName(name))
        {
            throw new UsageException($"'{name}' is not a valid database name: 1 to {DatabaseCatalogue.MaxNameLength} ASCII letters, digits, '_', '-' or '.', not starting with '.'");
        }

        string dataDirectory = DataDirectory.Resolve(data);
        using var interruption = new Interruption();
        try
        {
            var elapsed = Stopwatch.StartNew();
            var database = SampleDatabase.Create(dataDirectory, name, size, seed, cancellationToken: interruption.Token);
            elapsed.Stop();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"created database '{database.Name}' in {database.Directory}: {database.Files.Count} files, {ByteSize.Format(size)} in {elapsed.Elapsed.TotalSeconds:0.00} s ({ByteSize.Rate(size, elapsed.Elapsed)})"));
            ResultPrinter.PrintFiles(database, output);

            return 0;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine($"vdi engine create-sample: cancelled; nothing of '{name}' was left behind.");
            return ResultPrinter.CancelledExitCode;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or ArgumentException or UnauthorizedAccessException)
        {
            error.WriteLine($"vdi engine create-sample: {e.Message}");
            return ResultPrinter.FailureExitCode;
        }
    }
}
