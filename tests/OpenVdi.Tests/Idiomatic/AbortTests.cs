using OpenVdi.Tests.Infrastructure;

namespace OpenVdi.Tests.Idiomatic;

public class AbortTests
{
    [Fact(Timeout = 20000)]
    public async Task A_server_abort_ends_a_waiting_GetCommandAsync_with_VD_E_ABORT()
    {
        using var loopback = new Loopback();
        using var set = loopback.ActiveIdiomatic(out var devices);

        var pending = devices[0].GetCommandAsync();
        Assert.False(pending.IsCompleted);
        Loopback.Expect(loopback.Server.SignalAbort());

        var e = await Assert.ThrowsAsync<VdiException>(() => pending.Within());
        Assert.Equal(VdiResult.VD_E_ABORT, e.Result);
        Assert.True(e.IsAbort);
        Assert.Equal(VdiResult.VD_E_ABORT, loopback.AgentResult());
        Assert.True(set.IsAborted);
    }

    [Fact(Timeout = 20000)]
    public async Task After_a_client_abort_every_fetch_fails_at_once_and_the_server_sees_995()
    {
        using var loopback = new Loopback();
        using var set = loopback.ActiveIdiomatic(out var devices);
        var completed = new List<VdsCommand>();
        loopback.Send(0, VdCommandCode.VDC_Flush, completed: completed);
        var held = Assert.NotNull(await devices[0].GetCommandAsync().Within());

        set.Abort();

        var pending = devices[0].GetCommandAsync();
        Assert.True(pending.IsFaulted, "An aborted set answers at once.");
        Assert.True((await Assert.ThrowsAsync<VdiException>(async () => await pending)).IsAbort);
        Assert.True(Assert.Throws<VdiException>(() => devices[0].TryGetCommand(TimeSpan.Zero, out _)).IsAbort);
        Assert.True(Assert.Throws<VdiException>(() => held.Complete()).IsAbort);
        Assert.Equal(VdiResult.VD_E_ABORT, loopback.AgentResult());
        Loopback.WaitForCompletions(completed, 1);
        Assert.Equal(Win32Error.ERROR_OPERATION_ABORTED, completed[0].CompletionCode);
    }

    [Fact(Timeout = 20000)]
    public async Task Disposing_the_set_ends_a_waiting_fetch_with_ObjectDisposedException_and_aborts_the_server()
    {
        using var loopback = new Loopback();
        var set = loopback.ActiveIdiomatic(out var devices);

        var pending = devices[0].GetCommandAsync();
        Assert.False(pending.IsCompleted);
        await set.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => pending.Within());
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await devices[0].GetCommandAsync());
        Assert.Equal(VdiResult.VD_E_ABORT, loopback.AgentResult());
    }
}
