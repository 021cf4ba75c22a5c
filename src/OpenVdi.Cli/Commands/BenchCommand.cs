using System.Globalization;
using OpenVdi.Bench;
using OpenVdi.Bench.Report;
using OpenVdi.Cli.Client;
using OpenVdi.Cli.CommandLine;

namespace OpenVdi.Cli.Commands;

/// <summary><c>vdi bench</c>: OpenVdi against a pipe, a Unix socket and the in-process copy limit, side by side.</summary>
internal sealed class BenchCommand : ICliCommand
{
    public string Name => "bench";

    public string Summary => "Measure OpenVdi against a pipe, a Unix socket and an in-process copy, side by side";

    public string Usage => """
        Usage: vdi bench [--quick] [--rounds N] [--bytes SIZE] [--source SIZE] [--transports LIST] [--json [PATH]]

        Streams the same bytes from a producer process to a consumer process that checksums every buffer in place,
        through OpenVdi (1 and 4 devices), a pipe and a Unix socket (1 and 4 streams each), at 64 KiB and 1 MiB
        transfers, and through a plain copy between two threads of one process (the limit); then times commands
        (server sends, idle client answers) one at a time and many in flight. Prints one table: each figure is the
        median of the rounds, with OpenVdi's ratio to it; the transports alternate so drift hits all alike.
        A few minutes; --quick in under a minute. docs/benchmarks.md says what each row measures.

        Options:
          --quick         5 rounds of 512 MiB runs and fewer commands (default: 9 rounds of 2 GiB)
          --rounds N      rounds, 1 to 50
          --bytes SIZE    bytes per throughput run, e.g. 2GiB (a multiple of 4 MiB)
          --source SIZE   the source the producer copies from, 64MiB to 1GiB (default 512MiB: above the CPU caches)
          --transports L  only these, comma-separated: openvdi, pipe, unix-socket, in-process-copy (default: these four),
                          drop-in (a C++ client through libsqlvdi.so; needs OPENVDI_SQLVDI, see docs/sqlvdi.md)
          --json [PATH]   also write the results as JSON to PATH; without PATH, write JSON instead of the table
        """;

    public int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var plan = new BenchPlan();
        int? rounds = null;
        long? bytes = null;
        int? source = null;
        bool json = false;
        string? jsonPath = null;
        IReadOnlyList<TransportKind>? transports = null;
        var options = new OptionReader(args);
        while (options.Next() is { } option)
        {
            switch (option)
            {
                case "--quick": plan = BenchPlan.Quick; break;
                case "--rounds": rounds = (int)options.Number(option, 1, 50); break;
                case "--bytes": bytes = ByteSize.Parse(option, options.Value(option), 4L << 20, 1L << 40); break;
                case "--source": source = (int)ByteSize.Parse(option, options.Value(option), 64L << 20, 1L << 30); break;
                case "--transports": transports = ParseTransports(options.Value(option)); break;
                case "--json": json = true; jsonPath = options.OptionalValue(); break;
                default: throw new UsageException($"unknown option {option}");
            }
        }

        if ((bytes ?? 0) % (4L << 20) != 0 || (source ?? 0) % (4 << 20) != 0)
        {
            throw new UsageException("--bytes and --source must be multiples of 4 MiB");
        }

        plan = plan with
        {
            Rounds = rounds ?? plan.Rounds,
            Bytes = bytes ?? plan.Bytes,
            SourceBytes = source ?? plan.SourceBytes,
            Transports = transports ?? plan.Transports,
        };

        error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"vdi bench: {plan.Rounds} rounds of {ThroughputCase.SizeText(plan.Bytes)} runs; the table follows."));
        var runner = new BenchRunner(
            plan,
            sourceBytes => ThisExecutable.Start(BenchPeerCommand.CommandName, "--source", sourceBytes.ToString(CultureInfo.InvariantCulture)),
            error);
        BenchResults results;
        try
        {
            results = runner.Run();
        }
        catch (Exception e) when (e is IOException or VdiException or OperationCanceledException or System.Net.Sockets.SocketException)
        {
            error.WriteLine($"vdi bench: {e.Message}");
            return 1;
        }

        if (json && jsonPath is null)
        {
            using var stdout = Console.OpenStandardOutput();
            BenchJson.Write(results, stdout);
            return 0;
        }

        output.Write(BenchTable.Format(results));
        if (jsonPath is not null)
        {
            using var file = File.Create(jsonPath);
            BenchJson.Write(results, file);
            output.WriteLine($"JSON written to {jsonPath}");
        }

        return 0;
    }

    private static TransportKind[] ParseTransports(string list)
    {
        try
        {
            return list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(TransportKindNames.Parse).Distinct().ToArray() is { Length: > 0 } kinds
                ? kinds
                : throw new UsageException("--transports needs at least one transport");
        }
        catch (FormatException e)
        {
            throw new UsageException($"--transports: {e.Message} The transports are openvdi, pipe, unix-socket, in-process-copy and drop-in.");
        }
    }
}
