using OpenVdi.Tests.Infrastructure;

namespace OpenVdi.Tests.Idiomatic;

public class CancellationTests
{
    [Fact(Timeout = 60000)]
    public async Task A_GetCommandAsync_waiting_for_a_command_that_does_not_come_burns_no_processor()
    {
        // Found by the known-bad variants: while any wait was armed the doorbell's thread never slept; it looked again
        // and again, a whole core for as long as a device waited (a BACKUP's devices wait whenever the server is slower).
        // Measured in a process of its own, doing nothing but the wait: a thread that spins uses about 1 s per second.
        string name = SetNames.Unique();
        using var client = PeerProcess.Start("client-idle-wait", name);
        await client.WaitForLineAsync("created");
        using var server = new ServerVirtualDeviceSet();
        BackupServer.Open(server, name);

        string[] line = (await client.WaitForLineAsync("idle-wait", 30000)).Split(' ');
        double cpu = double.Parse(line[2], System.Globalization.CultureInfo.InvariantCulture);
        double wall = double.Parse(line[4], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(cpu < wall / 4, $"The waiting client used {cpu} ms of processor time in {wall} ms of waiting.");
        Assert.Equal(0, await client.WaitForExitAsync());
    }

    [Fact(Timeout = 60000)]
    public async Task A_set_whose_commands_stop_coming_stops_spinning_and_burns_no_processor()
    {
        // While commands flow, the doorbell's thread spins a moment before it sleeps (the next usually follows at
        // once); once they stop it must sleep: a spin that outlived the flow would hold a core for as long as the
        // device waits. 2,000 commands in flow, then a second of waiting for one that does not come.
        const int Commands = 2000;
        string name = SetNames.Unique();
        using var client = PeerProcess.Start("client-idle-wait", name, Commands.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await client.WaitForLineAsync("created");
        using var server = new ServerVirtualDeviceSet();
        var device = BackupServer.Open(server, name);
        var agent = Waits.OnOwnThread(server.ExecuteCompletionAgent);
        using var completed = new SemaphoreSlim(0);
        for (int i = 0; i < Commands; i++)
        {
            Assert.Equal(VdiResult.NOERROR, device.SendCommand(new VdsCommand { CommandCode = VdCommandCode.VDC_Flush, CompletionRoutine = _ => completed.Release() }));
            Assert.True(await completed.WaitAsync(10000), $"Command {i} was not completed.");
        }

        Assert.Equal($"served {Commands}", await client.WaitForLineAsync("served"));
        string[] line = (await client.WaitForLineAsync("idle-wait", 30000)).Split(' ');
        double cpu = double.Parse(line[2], System.Globalization.CultureInfo.InvariantCulture);
        double wall = double.Parse(line[4], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(cpu < wall / 4, $"After the flow, the waiting client used {cpu} ms of processor time in {wall} ms of waiting.");
        Assert.Equal(VdiResult.NOERROR, device.CloseDevice());
        Assert.Equal(0, await client.WaitForExitAsync());

        // The client closed its set as it exited: the agent ends (how depends on which close it saw first).
        await agent.Within("The completion agent after the client's exit", 10000);
    }

    [Fact(Timeout = 20000)]
    public async Task Cancelling_ends_a_waiting_GetCommandAsync_promptly_and_leaves_the_device_usable()
    {
        using var loopback = new Loopback();
        using var set = loopback.ActiveIdiomatic(out var devices);
        var device = devices[0];
        using var cts = new CancellationTokenSource();

        var pending = device.GetCommandAsync(cts.Token);
        Assert.False(pending.IsCompleted);
        cts.Cancel();

        // Within() fails the test if the wait ignores the token (it would otherwise wait for a command forever).
        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.Within(5000));
        Assert.Equal(cts.Token, e.CancellationToken);

        var completed = new List<VdsCommand>();
        loopback.Send(0, VdCommandCode.VDC_Flush, completed: completed);
        var command = Assert.NotNull(await device.GetCommandAsync().Within());
        Assert.Equal(VdCommandCode.VDC_Flush, command.Code);
        command.Complete();
        Loopback.WaitForCompletions(completed, 1);
        Assert.Equal(Win32Error.ERROR_SUCCESS, completed[0].CompletionCode);
    }

    [Fact(Timeout = 20000)]
    public async Task Cancelling_a_waiting_GetCommandAsync_completes_it_inside_Cancel_with_no_slice_to_wait_for()
    {
        // The token's registration completes the wait on the cancelling thread: no thread wakes in a slice, so the
        // wait has ended when Cancel returns. (In the rare case that the set's doorbell waiter is looking at the wait
        // at that instant, it completes it instead, a moment later: three tries, and one synchronous end is proof.)
        using var loopback = new Loopback();
        using var set = loopback.ActiveIdiomatic(out var devices);
        int synchronous = 0;
        for (int attempt = 0; attempt < 3; attempt++)
        {
            using var cts = new CancellationTokenSource();
            var pending = devices[0].GetCommandAsync(cts.Token);
            Assert.False(pending.IsCompleted);

            cts.Cancel();
            synchronous += pending.IsCompleted ? 1 : 0;
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.Within(5000));
        }

        Assert.True(synchronous > 0, "No cancelled GetCommandAsync had ended when Cancel returned.");
    }

    [Fact(Timeout = 20000)]
    public async Task An_already_cancelled_token_fails_at_once_without_fetching()
    {
        using var loopback = new Loopback();
        using var set = loopback.ActiveIdiomatic(out var devices);
        loopback.Send(0, VdCommandCode.VDC_Flush);

        var pending = devices[0].GetCommandAsync(new CancellationToken(canceled: true));

        Assert.True(pending.IsCanceled);
        var command = Assert.NotNull(await devices[0].GetCommandAsync().Within());
        Assert.Equal(VdCommandCode.VDC_Flush, command.Code);
        command.Complete();
    }

    [Fact(Timeout = 20000)]
    public async Task Cancelling_a_configuration_wait_ends_it_and_a_later_wait_succeeds()
    {
        using var loopback = new Loopback().Created();
        using var set = VirtualDeviceSet.FromFaithful(loopback.Client);
        using var cts = new CancellationTokenSource();

        var pending = set.GetConfigurationAsync(cts.Token);
        Assert.False(pending.IsCompleted);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.Within(5000));
        Assert.Null(set.Configuration);

        Loopback.Expect(loopback.Server.Open(null, loopback.Name));
        Loopback.Expect(loopback.Server.BeginConfiguration(VdFeatures.VDF_WriteMedia, 512, 0, 65536, 0));
        Loopback.Expect(loopback.Server.RequestBuffers(65536, 0, 2));
        Loopback.Expect(loopback.Server.EndConfiguration());
        var config = await set.GetConfigurationAsync().Within();
        Assert.Equal(65536u, config.MaxTransferSize);
    }
}
