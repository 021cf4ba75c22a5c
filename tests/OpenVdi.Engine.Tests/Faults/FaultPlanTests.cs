using OpenVdi.Engine.Faults;

namespace OpenVdi.Engine.Tests.Faults;

/// <summary>A fault plan's text form: every fault in one spec, written back as it parses, and how two plans compose.</summary>
public class FaultPlanTests
{
    [Fact]
    public void Every_fault_composes_in_one_spec()
    {
        var plan = FaultPlan.Parse("flush-every=1MiB, delay=2ms,stall-after=64KiB:1.5s,abort-after=10MiB,unsupported=GetPosition,close-device=2@128KiB,client-timeout=3s");

        Assert.Equal(
            new FaultPlan
            {
                FlushEvery = 1 << 20,
                CommandDelay = TimeSpan.FromMilliseconds(2),
                StallAfterBytes = 64 << 10,
                StallFor = TimeSpan.FromSeconds(1.5),
                AbortAfterBytes = 10 << 20,
                UnsupportedCommand = VdCommandCode.VDC_GetPosition,
                CloseDevice = 2,
                CloseDeviceAfterBytes = 128 << 10,
                ClientTimeout = TimeSpan.FromSeconds(3),
            },
            plan);
        Assert.True(plan.AffectsDevices);
    }

    [Theory]
    [InlineData("")]
    [InlineData("flush-every=1MiB")]
    [InlineData("delay=0.25ms,stall-after=1000")]
    [InlineData("stall-after=1KiB:20ms,close-device=0@0,client-timeout=1s")]
    [InlineData("abort-after=512KiB,unsupported=VDC_GetPosition")]
    public void A_plan_written_out_parses_back_to_the_same_plan(string spec)
    {
        var plan = FaultPlan.Parse(spec);

        Assert.Equal(plan, FaultPlan.Parse(plan.ToString()));
        Assert.Equal(spec.Length == 0, plan.IsEmpty);
    }

    [Fact]
    public void A_statement_fault_replaces_the_engine_fault_of_the_same_kind_and_keeps_the_others()
    {
        var engine = FaultPlan.Parse("flush-every=1MiB,stall-after=64KiB:2s,close-device=1@1KiB");
        var statement = FaultPlan.Parse("flush-every=4KiB,stall-after=8KiB,delay=1ms");

        var combined = engine.CombinedWith(statement);

        Assert.Equal(FaultPlan.Parse("flush-every=4KiB,stall-after=8KiB,delay=1ms,close-device=1@1KiB"), combined);
        Assert.Equal(engine, engine.CombinedWith(FaultPlan.None));
    }
}
