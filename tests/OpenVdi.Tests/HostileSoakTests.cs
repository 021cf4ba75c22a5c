using System.Diagnostics;
using System.Globalization;
using OpenVdi.Testing;
using OpenVdi.TestPeer;
using OpenVdi.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OpenVdi.Tests;

/// <summary>
/// The hostile-writer soak: a client process and a server process stream set after set (striped BACKUPs and
/// RESTOREs of a known pattern) while this process writes hostile values into every field of each set's control
/// segment and buffer-area descriptors, or kills one of the peers at a random point. What must hold, every time:
/// no peer crashes; no set hangs (each side reports within 5 s of the other side's failure, or of a peer's death);
/// never do both sides report success with bytes other than the ones sent; no segment is left behind.
/// </summary>
/// <remarks>
/// The default run is bounded (a minute or two on two cores). <c>OPENVDI_SOAK_MUTATIONS</c> and
/// <c>OPENVDI_SOAK_KILLS</c> set how many live writes and kills to reach (the long mode: 10000 and 200), and
/// <c>OPENVDI_SOAK_SEED</c> replays a run, and <c>OPENVDI_SOAK_RECIPE</c> (a targeted recipe, or <c>random</c>) runs
/// one recipe only, to chase one failure. The figures are written to the test output.
/// </remarks>
public class HostileSoakTests
{
    /// <summary>How long a side may take to report once the other side failed, or a peer died.</summary>
    private const int Survivor = 5000;

    /// <summary>How long one set may take in all (a server that never attaches gives up after 2 s).</summary>
    private const int RunLimit = 20000;

    private readonly ITestOutputHelper _output;

    public HostileSoakTests(ITestOutputHelper output) => _output = output;

    [Fact(Timeout = 900000)]
    public async Task Hostile_writes_while_both_sides_stream_never_crash_hang_lose_data_or_leak()
    {
        int target = Setting("OPENVDI_SOAK_MUTATIONS", 400);
        int seed = Setting("OPENVDI_SOAK_SEED", Environment.TickCount);
        _output.WriteLine($"seed {seed} (OPENVDI_SOAK_SEED replays the run)");
        var random = new Random(seed);
        string? only = Environment.GetEnvironmentVariable("OPENVDI_SOAK_RECIPE") is { Length: > 0 } r ? r : null;
        var tally = new Tally();
        var clock = Stopwatch.StartNew();
        using var client = PeerProcess.Start("soak-client");
        using var server = PeerProcess.Start("soak-server");
        while (tally.LiveWrites < target)
        {
            var plan = RunPlan.Next(random);
            using var mutator = new HostileMutator(plan.Name, plan.Devices, random);
            string recipe = only ?? random.Next(10) switch
            {
                0 => "forge-request",
                1 => "abort-then-clear",
                < 5 => HostileMutator.Recipes[random.Next(HostileMutator.Recipes.Length)],
                _ => "random",
            };

            client.Send(plan.Command);
            await client.WaitForLineAsync($"created {plan.Name}", Survivor);
            if (recipe == "forge-request")
            {
                mutator.ForgeRequest();
            }

            server.Send(plan.Command);
            var clientResult = client.WaitForLineAsync($"result {plan.Name}", RunLimit);
            var serverResult = server.WaitForLineAsync($"result {plan.Name}", RunLimit);
            await Task.Run(() =>
            {
                // A random moment of the stream, then the writes, one after another.
                Thread.Sleep(random.Next(4));
                switch (recipe)
                {
                    case "forge-request":
                        break;
                    case "abort-then-clear":
                        client.Send("abort");
                        mutator.ClearAbortOnceSeen();
                        break;
                    case "random":
                        for (int i = random.Next(1, 4); i > 0; i--)
                        {
                            mutator.RandomWrite();
                            Thread.SpinWait(random.Next(20000));
                        }

                        break;
                    default:
                        mutator.Targeted(recipe);
                        break;
                }
            });

            var outcome = await Settle(plan, client, clientResult, serverResult, mutator.Applied);
            tally.Add(outcome, mutator.LiveWrites);
            Assert.False(
                outcome.Client.Text == "failed:signalled" && outcome.Server.Ok,
                $"Set {plan.Name}: the client called SignalAbort in the middle of the stream, and the server reported success (writes [{string.Join("; ", mutator.Applied)}]).");
        }

        client.Send("quit");
        server.Send("quit");
        Assert.Equal(0, await client.WaitForExitAsync());
        Assert.Equal(0, await server.WaitForExitAsync());
        _output.WriteLine($"seed {seed}: {tally} in {clock.Elapsed.TotalSeconds:F0} s");
    }

    [Fact(Timeout = 900000)]
    public async Task Killing_either_side_at_a_random_point_ends_the_survivor_within_5_s_and_leaves_nothing()
    {
        int target = Setting("OPENVDI_SOAK_KILLS", 12);
        int seed = Setting("OPENVDI_SOAK_SEED", Environment.TickCount);
        var random = new Random(seed);
        var worst = TimeSpan.Zero;
        int survivorsFailed = 0;
        PeerProcess? client = null;
        PeerProcess? server = null;
        try
        {
            for (int kill = 0; kill < target; kill++)
            {
                client ??= PeerProcess.Start("soak-client");
                server ??= PeerProcess.Start("soak-server");
                var plan = RunPlan.Next(random) with { BytesPerDevice = 64 << 20 };
                client.Send(plan.Command);
                await client.WaitForLineAsync($"created {plan.Name}", Survivor);
                server.Send(plan.Command);
                await Task.Run(() => Thread.Sleep(random.Next(1, 60)));
                bool killClient = random.Next(2) == 0;
                var victim = killClient ? client : server;
                var survivor = killClient ? server : client;
                using var watcher = new HostileMutator(plan.Name, plan.Devices, random);
                bool serverNeverCame = !killClient && watcher.Observe().State == (int)Transport.SharedSetState.Created;
                victim.Kill();
                if (serverNeverCame)
                {
                    // No server ever attached: only the application knows one was coming (its statement failed).
                    client.Send("abort");
                }

                var killed = Stopwatch.StartNew();
                string line = await survivor.WaitForLineAsync($"result {plan.Name}", Survivor);
                worst = killed.Elapsed > worst ? killed.Elapsed : worst;
                survivorsFailed += line.Contains(" failed", StringComparison.Ordinal) ? 1 : 0;
                Assert.True(
                    SetNames.SegmentsOf(plan.Name).Length == 0,
                    $"Killing the {(killClient ? "client" : "server")} of {plan.Name} left {string.Join(", ", SetNames.SegmentsOf(plan.Name))}.");
                victim.Dispose();
                if (killClient)
                {
                    client = null;
                }
                else
                {
                    server = null;
                }
            }
        }
        finally
        {
            client?.Dispose();
            server?.Dispose();
        }

        _output.WriteLine($"seed {seed}: {target} kills, {survivorsFailed} survivors reported the failure, slowest survivor {worst.TotalMilliseconds:F0} ms");
    }

    /// <summary>
    /// Waits for both sides' results. When one side fails first, the other is given <see cref="Survivor"/> to follow;
    /// when the server fails, the client is told to abort first, as an application whose statement failed does. Checks
    /// what must hold of every set, naming the writes of the run when it does not.
    /// </summary>
    private static async Task<Outcome> Settle(RunPlan plan, PeerProcess client, Task<string> clientResult, Task<string> serverResult, IReadOnlyList<string> writes)
    {
        string what = $"Set {plan.Name} ({plan.Command}) after writes [{string.Join("; ", writes)}]";
        try
        {
            return await SettleCore(plan, client, clientResult, serverResult, what);
        }
        catch (Xunit.Sdk.XunitException e) when (!e.Message.StartsWith(what, StringComparison.Ordinal))
        {
            // A peer's own wait gave up first: say which set, which writes and which side.
            string silent = !clientResult.IsCompletedSuccessfully ? "the client" : "the server";
            throw new Xunit.Sdk.XunitException($"{what}: {silent} did not report. {e.Message}");
        }
    }

    private static async Task<Outcome> SettleCore(RunPlan plan, PeerProcess client, Task<string> clientResult, Task<string> serverResult, string what)
    {
        var first = await Task.WhenAny(clientResult, serverResult).Within($"{what}: neither side", RunLimit);
        if (first == serverResult && Result.Parse(await serverResult).Ok is false)
        {
            client.Send("abort");
        }

        var firstDone = Stopwatch.StartNew();
        var other = first == clientResult ? serverResult : clientResult;
        await other.Within($"{what}: the {(first == clientResult ? "server" : "client")}, {Survivor} ms after the other side reported,", Survivor + RunLimit);
        Assert.True(
            firstDone.ElapsedMilliseconds <= Survivor || Result.Parse(await first).Ok,
            $"{what}: one side reported a failure and the other took {firstDone.ElapsedMilliseconds} ms to follow.");

        var outcome = new Outcome(Result.Parse(await clientResult), Result.Parse(await serverResult));
        if (outcome.Client.Ok && outcome.Server.Ok)
        {
            var receiver = plan.Backup ? outcome.Client : outcome.Server;
            for (int device = 0; device < plan.Devices; device++)
            {
                Assert.True(
                    receiver.Checksums[device] == Fnv.OfPattern(device, plan.BytesPerDevice),
                    $"{what}: both sides reported success, and device {device} received other bytes than were sent.");
            }
        }

        Assert.True(SetNames.SegmentsOf(plan.Name).Length == 0, $"{what}: left {string.Join(", ", SetNames.SegmentsOf(plan.Name))}.");
        return outcome;
    }

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : fallback;

    /// <summary>One set of the soak: its devices, the bytes per device, and which way the data goes.</summary>
    private sealed record RunPlan(string Name, int Devices, long BytesPerDevice, bool Backup)
    {
        public string Command => string.Create(CultureInfo.InvariantCulture, $"run {Name} {Devices} {BytesPerDevice} {(Backup ? "backup" : "restore")}");

        public static RunPlan Next(Random random) =>
            new(SetNames.Unique("soak"), random.Next(1, 5), 65536L * random.Next(2, 17), random.Next(2) == 0);
    }

    /// <summary>A side's result line: <c>result SET ok|failed:WHY CHECKSUMS</c>.</summary>
    private sealed record Result(bool Ok, string Text, ulong[] Checksums)
    {
        public static Result Parse(string line)
        {
            string[] word = line.Split(' ');
            var sums = word.Length > 3 && word[3].Length > 0
                ? word[3].Split(',').Select(s => ulong.Parse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray()
                : [];
            return new Result(word[2] == "ok", word[2], sums);
        }
    }

    private sealed record Outcome(Result Client, Result Server);

    /// <summary>The soak's figures.</summary>
    private sealed class Tally
    {
        private readonly Dictionary<string, int> _outcomes = [];

        public int Runs { get; private set; }

        public int LiveWrites { get; private set; }

        public void Add(Outcome outcome, int liveWrites)
        {
            Runs++;
            LiveWrites += liveWrites;
            string key = (outcome.Client.Ok, outcome.Server.Ok) switch
            {
                (true, true) => "both succeeded (bytes checked)",
                (false, false) => "both failed",
                (true, false) => "server failed",
                (false, true) => "client failed",
            };
            _outcomes[key] = _outcomes.GetValueOrDefault(key) + 1;
        }

        public override string ToString() =>
            $"{Runs} sets, {LiveWrites} hostile writes into live sets; 0 crashes, 0 hangs, 0 successes with wrong bytes, 0 segments left; "
            + string.Join(", ", _outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key}: {o.Value}"));
    }
}
