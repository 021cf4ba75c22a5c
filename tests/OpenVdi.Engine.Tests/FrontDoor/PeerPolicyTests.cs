using OpenVdi.Engine.FrontDoor;
using OpenVdi.Engine.FrontDoor.Internal;
using OpenVdi.Engine.Tests.FrontDoor.Infrastructure;

namespace OpenVdi.Engine.Tests.FrontDoor;

/// <summary>Only the daemon's user, and members of a configured group, may use it; everyone else is refused and told why.</summary>
public sealed class PeerPolicyTests
{
    private static PeerCredentials Peer(uint uid, uint gid, params uint[] groups) => new(4242, uid, gid, groups);

    [Fact]
    public void The_same_user_is_allowed() =>
        Assert.True(new PeerPolicy(1000).Decide(Peer(1000, 1000)).Allowed);

    [Fact]
    public void Another_user_is_refused_with_a_reason_naming_both()
    {
        var decision = new PeerPolicy(1000).Decide(Peer(1001, 1001));

        Assert.False(decision.Allowed);
        Assert.Equal("Permission denied: this OpenVdi engine serves uid 1000 only; the connection came from uid 1001 (gid 1001, pid 4242).", decision.Reason);
    }

    [Fact]
    public void Root_is_not_special() =>
        Assert.False(new PeerPolicy(1000).Decide(Peer(0, 0)).Allowed);

    [Fact]
    public void A_member_of_the_group_by_primary_group_is_allowed() =>
        Assert.True(new PeerPolicy(1000, 995, "backup").Decide(Peer(1001, 995)).Allowed);

    [Fact]
    public void A_member_of_the_group_by_supplementary_group_is_allowed()
    {
        var decision = new PeerPolicy(1000, 995, "backup").Decide(Peer(1001, 1001, 27, 995));

        Assert.True(decision.Allowed);
        Assert.Equal("a member of group 'backup' (gid 995)", decision.Reason);
    }

    [Fact]
    public void A_non_member_is_refused_and_told_which_group_is_allowed()
    {
        var decision = new PeerPolicy(1000, 995, "backup").Decide(Peer(1001, 1001, 27));

        Assert.False(decision.Allowed);
        Assert.Contains("uid 1000 and members of group 'backup' (gid 995) only", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_group_a_shared_group_is_not_enough() =>
        Assert.False(new PeerPolicy(1000).Decide(Peer(1001, 1000)).Allowed);

    [Fact(Timeout = 30_000)]
    public async Task A_refused_client_gets_the_reason_on_the_wire_and_the_daemon_logs_it()
    {
        // As the same user a real cross-user connection is impossible; a daemon serving another uid refuses us instead.
        uint me = UnixNative.EffectiveUserId();
        var engine = ScriptedEngine.Sending();
        await using var harness = DaemonHarness.Start(engine, policy: new PeerPolicy(me + 1));

        var e = await Assert.ThrowsAsync<EngineClientException>(() => harness.Client().ExecuteAsync("BACKUP …").WaitAsync(DaemonHarness.Limit));

        Assert.Equal(EngineClientError.Refused, e.Error);
        Assert.Contains($"the connection came from uid {me}", e.Message, StringComparison.Ordinal);
        string logged = await harness.LogLine($"refused pid {Environment.ProcessId}, uid {me}");
        Assert.StartsWith("Warning #", logged, StringComparison.Ordinal);
        Assert.Equal(0, engine.Started);
    }

    [Fact(Timeout = 30_000)]
    public async Task The_kernel_reports_this_process_as_the_peer()
    {
        var engine = ScriptedEngine.Sending();
        await using var harness = DaemonHarness.Start(engine);

        await harness.Client().ExecuteAsync("BACKUP …").WaitAsync(DaemonHarness.Limit);

        await harness.LogLine($"pid {Environment.ProcessId}, uid {UnixNative.EffectiveUserId()}, gid {UnixNative.EffectiveGroupId()}: BACKUP …");
    }
}
