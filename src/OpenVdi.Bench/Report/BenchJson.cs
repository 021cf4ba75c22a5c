using System.Text.Json;

namespace OpenVdi.Bench.Report;

/// <summary>
/// The results for machines: the run's setting, then every figure with its rounds, median and ratio to OpenVdi.
/// Units: throughput in GB/s (10^9 bytes per second), latency in microseconds per command.
/// </summary>
internal static class BenchJson
{
    public static void Write(BenchResults results, Stream output)
    {
        ArgumentNullException.ThrowIfNull(results);
        var plan = results.Plan;
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("started", results.Started);
        json.WriteNumber("processorCount", results.ProcessorCount);
        json.WriteString("runtime", results.Runtime);
        json.WriteString("os", results.OperatingSystem);
        json.WriteNumber("rounds", plan.Rounds);
        json.WriteNumber("bytesPerRun", plan.Bytes);
        json.WriteNumber("sourceBytes", plan.SourceBytes);
        json.WriteNumber("roundTrips", plan.RoundTrips);
        json.WriteNumber("pipelinedCommands", plan.PipelinedCommands);
        json.WriteNumber("inFlight", plan.InFlight);
        json.WriteStartArray("figures");
        foreach (var figure in results.Figures)
        {
            var openVdi = results.Find(figure.Section, figure.Row, TransportKind.OpenVdi);
            json.WriteStartObject();
            json.WriteString("section", figure.Section);
            json.WriteString("row", figure.Row);
            json.WriteString("transport", figure.Transport.Key());
            json.WriteString("unit", figure.HigherIsBetter ? "GB/s" : "us/command");
            json.WriteNumber("median", figure.Median);
            if (openVdi is not null)
            {
                json.WriteNumber("openVdiRatio", figure.OpenVdiRatio(openVdi));
            }

            json.WriteStartArray("rounds");
            foreach (double value in figure.Rounds)
            {
                json.WriteNumberValue(value);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }
}
