using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using OpenVdi.Bench;
using OpenVdi.Bench.Report;
using OpenVdi.Cli.Client;
using OpenVdi.Cli.CommandLine;
using OpenVdi.Cli.Output;

namespace OpenVdi.Cli.Commands;

/// <summary><c>vdi bench</c>: OpenVdi against a pipe, a Unix socket and the in-process copy limit, side by side.</summary>
internal static class BenchCommand
{
    private static readonly Option<bool> s_quick = new("--quick")
    {
        Description = "5 rounds of 512 MiB runs and fewer commands, under a minute (default: 9 rounds of 2 GiB)",
    };

    private static readonly Option<int?> s_rounds = new("--rounds")
    {
        Description = "Rounds, 1 to 50",
        HelpName = "N",
        CustomParser = result => CommonOptions.Number(result, 1, 50),
    };

    private static readonly Option<long?> s_bytes = new("--bytes")
    {
        Description = "Bytes per throughput run, e.g. 2GiB (a multiple of 4 MiB)",
        HelpName = "SIZE",
        CustomParser = result => MultipleOf4MiB(result, CommonOptions.Size(result, 4L << 20, 1L << 40)),
    };

    private static readonly Option<int?> s_source = new("--source")
    {
        Description = "The source the producer copies from, 64MiB to 1GiB, a multiple of 4 MiB (default 512MiB: above the CPU caches)",
        HelpName = "SIZE",
        CustomParser = result => (int)MultipleOf4MiB(result, CommonOptions.Size(result, 64L << 20, 1L << 30)),
    };

    private static readonly Option<IReadOnlyList<TransportKind>?> s_transports = new("--transports")
    {
        Description = "Only these, comma-separated: openvdi, pipe, unix-socket, in-process-copy, drop-in (default all but drop-in, which needs g++ and libsqlvdi.so)",
        HelpName = "LIST",
        CustomParser = ParseTransports,
    };

    private static readonly Option<string?> s_save = new("--save")
    {
        Description = "Also write the results document (docs/benchmarks.md) to this file",
        HelpName = "PATH",
    };

    public static Command Create(CliTerminal terminal)
    {
        var command = new Command(
            "bench",
            "Measure OpenVdi against a pipe, a Unix socket and an in-process copy, side by side: the same bytes from a producer process to a consumer " +
            "that checksums every buffer in place, then command round trips. One table of medians with OpenVdi's ratio to each (docs/benchmarks.md).")
        {
            s_quick, s_rounds, s_bytes, s_source, s_transports, s_save,
        };
        command.SetAction((parse, _) =>
        {
            using var output = CommandOutput.Create(terminal, "bench", parse.GetValue(CommonOptions.Json), parse.GetValue(CommonOptions.Quiet));
            var plan = parse.GetValue(s_quick) ? BenchPlan.Quick : new BenchPlan();
            plan = plan with
            {
                Rounds = parse.GetValue(s_rounds) ?? plan.Rounds,
                Bytes = parse.GetValue(s_bytes) ?? plan.Bytes,
                SourceBytes = parse.GetValue(s_source) ?? plan.SourceBytes,
                Transports = parse.GetValue(s_transports) ?? plan.Transports,
            };

            output.Info(string.Create(CultureInfo.InvariantCulture, $"vdi bench: {plan.Rounds} rounds of {ThroughputCase.SizeText(plan.Bytes)} runs; the table follows."));
            var progress = parse.GetValue(CommonOptions.Quiet) || parse.GetValue(CommonOptions.Json) ? TextWriter.Null : terminal.Error;
            var runner = new BenchRunner(
                plan,
                sourceBytes => ThisExecutable.Start(BenchPeerCommand.CommandName, "--source", sourceBytes.ToString(CultureInfo.InvariantCulture)),
                progress);
            BenchResults results;
            try
            {
                results = runner.Run();
            }
            catch (Exception e) when (e is IOException or VdiException or OperationCanceledException or System.Net.Sockets.SocketException)
            {
                return Task.FromResult(output.Finish(CommandResult.Failure(ExitCodes.Failed, e.Message)));
            }

            using var document = new MemoryStream();
            BenchJson.Write(results, document);
            if (parse.GetValue(s_save) is { } path)
            {
                File.WriteAllBytes(path, document.ToArray());
            }

            if (!parse.GetValue(CommonOptions.Json))
            {
                foreach (string line in BenchTable.Format(results).TrimEnd().Split('\n'))
                {
                    output.Info(line);
                }
            }

            using var json = JsonDocument.Parse(document.ToArray());
            return Task.FromResult(output.Finish(CommandResult.Success(
                parse.GetValue(s_save) is { } saved ? $"results written to {saved}" : "bench done",
                new ResultEvent { Bench = json.RootElement.Clone() })));
        });
        return command;
    }

    private static long MultipleOf4MiB(System.CommandLine.Parsing.ArgumentResult result, long bytes)
    {
        if (bytes % (4L << 20) != 0)
        {
            result.AddError($"{CommonOptions.OptionName(result)} must be a multiple of 4 MiB, not {ByteSize.Format(bytes)}");
        }

        return bytes;
    }

    private static TransportKind[]? ParseTransports(System.CommandLine.Parsing.ArgumentResult result)
    {
        try
        {
            var kinds = result.Tokens[^1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(TransportKindNames.Parse).Distinct().ToArray();
            if (kinds.Length == 0)
            {
                result.AddError("--transports needs at least one transport");
            }

            return kinds;
        }
        catch (FormatException e)
        {
            result.AddError($"--transports: {e.Message} The transports are {TransportKindNames.AllKeys()}.");
            return null;
        }
    }
}
