using System.Globalization;
using System.Text.Json;
using OpenVdi.Cli.Tests.Infrastructure;
using OpenVdi.Engine.Databases;

namespace OpenVdi.Cli.Tests;

/// <summary>
/// <c>--json</c> as docs/cli-json.md documents it: every line of standard output one JSON object of a known type with
/// its members of the documented kinds, nothing else on standard output, and the <c>result</c> event last, saying
/// what the exit code says, for successes, failures and usage errors alike.
/// </summary>
public sealed class JsonOutputTests
{
    /// <summary>The schema of docs/cli-json.md: for each event type, its members that are always there, and their JSON kinds.</summary>
    private static readonly Dictionary<string, (string Member, JsonValueKind Kind)[]> s_required = new()
    {
        ["message"] = [("time", JsonValueKind.String), ("source", JsonValueKind.String), ("text", JsonValueKind.String), ("error", JsonValueKind.True)],
        ["progress"] = [("time", JsonValueKind.String), ("operation", JsonValueKind.String), ("bytes", JsonValueKind.Number), ("bytesPerSecond", JsonValueKind.Number), ("elapsedSeconds", JsonValueKind.Number)],
        ["resultSet"] = [("time", JsonValueKind.String), ("columns", JsonValueKind.Array), ("rows", JsonValueKind.Array)],
        ["log"] = [("time", JsonValueKind.String), ("level", JsonValueKind.String), ("text", JsonValueKind.String)],
        ["result"] = [("time", JsonValueKind.String), ("command", JsonValueKind.String), ("succeeded", JsonValueKind.True), ("exitCode", JsonValueKind.Number), ("text", JsonValueKind.String)],
    };

    /// <summary>Members that may be there, and their JSON kinds when they are (null is never written).</summary>
    private static readonly Dictionary<string, (string Member, JsonValueKind Kind)[]> s_optional = new()
    {
        ["message"] = [("number", JsonValueKind.Number), ("severity", JsonValueKind.Number), ("state", JsonValueKind.Number), ("line", JsonValueKind.Number)],
        ["progress"] = [("totalBytes", JsonValueKind.Number), ("totalIsEstimate", JsonValueKind.True), ("percent", JsonValueKind.Number), ("etaSeconds", JsonValueKind.Number)],
        ["resultSet"] = [],
        ["log"] = [],
        ["result"] =
        [
            ("error", JsonValueKind.Object), ("database", JsonValueKind.String), ("directory", JsonValueKind.String), ("backupType", JsonValueKind.String),
            ("bytes", JsonValueKind.Number), ("elapsedSeconds", JsonValueKind.Number), ("bytesPerSecond", JsonValueKind.Number), ("files", JsonValueKind.Array),
            ("databases", JsonValueKind.Array), ("engine", JsonValueKind.Object), ("bench", JsonValueKind.Object),
        ],
    };

    [Fact(Timeout = 180_000)]
    public async Task Every_line_of_every_command_is_a_documented_event_and_the_result_comes_last()
    {
        await using var daemon = await DaemonProcess.StartAsync();
        SampleDatabase.Create(daemon.Data, "sales", 2 << 20, seed: 41);
        string backup = daemon.Temp.Combine("b");

        (string[] Args, int Code)[] runs =
        [
            (["engine", "create-sample", "--name", "more", "--size", "1MiB", "--data", daemon.Data, "--json"], 0),
            (["backup", "-d", "sales", "--to", backup, "--devices", "2", "--stats", "20", "--json", "--socket", daemon.Socket], 0),
            (["verify", "--from", backup, "--json", "--socket", daemon.Socket], 0),
            (["headeronly", "--from", backup, "--json", "--socket", daemon.Socket], 0),
            (["filelistonly", "--from", backup, "--json", "--socket", daemon.Socket], 0),
            (["restore", "--from", backup, "-d", "sales", "--json", "--socket", daemon.Socket], 1),
            (["engine", "status", "--json", "--socket", daemon.Socket], 0),
            (["engine", "list", "--json", "--socket", daemon.Socket], 0),
            (["backup", "-d", "sales", "--json"], 2),
            (["completion", "bash", "--json"], 0),
            (["backup", "-d", "sales", "--to", daemon.Temp.Combine("x"), "--json", "--socket", daemon.Temp.Combine("none.sock")], 3),
        ];
        foreach (var (args, expected) in runs)
        {
            var (code, output, error) = await Vdi.RunAsync(args);
            string what = string.Join(' ', args);

            Assert.True(code == expected, $"vdi {what}: exit {code}, expected {expected}. {error}");
            Assert.True(error.Length == 0, $"vdi {what} wrote to standard error with --json: {error}");
            var events = output.TrimEnd('\n').Split('\n').Select(line => CheckEvent(line, what)).ToList();
            var result = events[^1].RootElement;
            Assert.Equal("result", result.GetProperty("type").GetString());
            Assert.Single(events, e => e.RootElement.GetProperty("type").GetString() == "result");
            Assert.Equal(code, result.GetProperty("exitCode").GetInt32());
            Assert.Equal(code == 0, result.GetProperty("succeeded").GetBoolean());
            if (code == 0)
            {
                Assert.False(result.TryGetProperty("error", out _), $"vdi {what}: a success with an error member.");
            }
            else
            {
                var failure = result.GetProperty("error");
                Assert.Equal(code switch { 2 => "usage", 3 => "engine-unreachable", _ => "failed" }, failure.GetProperty("kind").GetString());
                Assert.False(string.IsNullOrWhiteSpace(failure.GetProperty("message").GetString()));
            }

            foreach (var e in events)
            {
                e.Dispose();
            }
        }
    }

    [Fact(Timeout = 180_000)]
    public async Task A_backup_reports_its_messages_progress_and_files_and_a_listing_its_rows_by_column()
    {
        await using var daemon = await DaemonProcess.StartAsync();
        SampleDatabase.Create(daemon.Data, "sales", 2 << 20, seed: 42);
        string backup = daemon.Temp.Combine("b");

        var backedUp = await daemon.RunAsync("backup", "-d", "sales", "--to", backup, "--devices", "2", "--stats", "25", "--json");
        var listed = await daemon.RunAsync("filelistonly", "--from", backup, "--json");

        var lines = backedUp.Output.TrimEnd('\n').Split('\n').Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Contains(lines, e => e.GetProperty("type").GetString() == "message" && e.GetProperty("source").GetString() == "engine" && e.GetProperty("number").GetInt32() == 3014);

        // A progress event at each STATS step at least, with the bytes so far.
        var progress = lines.Where(e => e.GetProperty("type").GetString() == "progress").ToList();
        Assert.True(progress.Count >= 4, $"{progress.Count} progress events for 4 STATS steps.");
        Assert.All(progress, p => Assert.Equal("backup", p.GetProperty("operation").GetString()));
        var result = lines[^1];
        Assert.Equal("full", result.GetProperty("backupType").GetString());
        Assert.Equal(["stripe-01.bak", "stripe-02.bak"], result.GetProperty("files").EnumerateArray().Select(f => Path.GetFileName(f.GetString())));
        Assert.Equal(result.GetProperty("bytes").GetInt64(), new DirectoryInfo(backup).GetFiles().Sum(f => f.Length));

        using var rows = JsonDocument.Parse(listed.Output.Split('\n').First(l => l.Contains("\"resultSet\"", StringComparison.Ordinal)));
        var files = rows.RootElement.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(["sales", "sales_2", "sales_log"], files.Select(r => r.GetProperty("LogicalName").GetString()));
        Assert.Equal("L", files[2].GetProperty("Type").GetString());
    }

    [Fact]
    public void A_usage_error_with_json_is_a_result_event_on_standard_output()
    {
        var (code, output, error) = Vdi.Run("backup", "--json", "--devices", "0", "-d", "x", "--to", "/tmp/x");

        Assert.Equal(2, code);
        Assert.Empty(error);
        using var result = JsonDocument.Parse(Assert.Single(output.TrimEnd('\n').Split('\n')));
        Assert.Equal("usage", result.RootElement.GetProperty("error").GetProperty("kind").GetString());
        Assert.Equal("--devices takes a whole number from 1 to 64, not '0'", result.RootElement.GetProperty("error").GetProperty("message").GetString());
    }

    private static JsonDocument CheckEvent(string line, string what)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw new Xunit.Sdk.XunitException($"vdi {what}: a line is not JSON ({e.Message}): {line}");
        }

        var root = document.RootElement;
        Assert.Equal(JsonValueKind.Object, root.ValueKind);
        string type = root.GetProperty("type").GetString()!;
        Assert.True(s_required.ContainsKey(type), $"vdi {what}: an event of unknown type '{type}'.");
        var known = new HashSet<string>(["type"]);
        foreach (var (member, kind) in s_required[type])
        {
            Assert.True(root.TryGetProperty(member, out var value), $"vdi {what}: a {type} event without \"{member}\": {line}");
            AssertKind(value, kind, $"vdi {what}: {type}.{member}");
            known.Add(member);
        }

        foreach (var (member, kind) in s_optional[type])
        {
            if (root.TryGetProperty(member, out var value))
            {
                AssertKind(value, kind, $"vdi {what}: {type}.{member}");
            }

            known.Add(member);
        }

        Assert.All(root.EnumerateObject(), p => Assert.True(known.Contains(p.Name), $"vdi {what}: {type} has an undocumented member \"{p.Name}\"."));
        Assert.True(DateTimeOffset.TryParse(root.GetProperty("time").GetString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _));
        return document;
    }

    private static void AssertKind(JsonElement value, JsonValueKind kind, string what)
    {
        bool ok = kind == JsonValueKind.True ? value.ValueKind is JsonValueKind.True or JsonValueKind.False : value.ValueKind == kind;
        Assert.True(ok, $"{what} is {value.ValueKind}, not {kind}.");
    }
}
