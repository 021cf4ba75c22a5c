using OpenVdi.Cli.Client;

namespace OpenVdi.Cli.Tests;

/// <summary>The stall watchdog fires for a set the engine left alone, and only for that.</summary>
public sealed class DeviceWatchdogTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(5);

    [Fact]
    public void A_set_that_saw_nothing_for_the_timeout_has_stalled_once()
    {
        var clock = new ManualClock();
        var watchdog = new DeviceWatchdog(s_timeout, clock);

        clock.Advance(TimeSpan.FromSeconds(4.9));
        Assert.False(watchdog.HasStalled());
        clock.Advance(TimeSpan.FromSeconds(0.1));
        Assert.True(watchdog.HasStalled());
        Assert.True(watchdog.Fired);
        Assert.False(watchdog.HasStalled());
    }

    [Fact]
    public void A_command_anywhere_in_the_set_restarts_the_wait()
    {
        var clock = new ManualClock();
        var watchdog = new DeviceWatchdog(s_timeout, clock);

        clock.Advance(TimeSpan.FromSeconds(4));
        watchdog.Began();
        watchdog.Done();
        clock.Advance(TimeSpan.FromSeconds(4));

        Assert.False(watchdog.HasStalled());
    }

    [Fact]
    public void A_device_busy_with_a_long_command_is_not_a_stall_however_long_it_takes()
    {
        var clock = new ManualClock();
        var watchdog = new DeviceWatchdog(s_timeout, clock);

        // A flush of a slow disk on one device while the others wait for buffers.
        watchdog.Began();
        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.False(watchdog.HasStalled());
        watchdog.Done();
        clock.Advance(TimeSpan.FromSeconds(5));

        Assert.True(watchdog.HasStalled());
    }

    [Fact]
    public void Without_a_timeout_nothing_is_a_stall()
    {
        var clock = new ManualClock();
        var watchdog = new DeviceWatchdog(Timeout.InfiniteTimeSpan, clock);

        clock.Advance(TimeSpan.FromDays(1));

        Assert.False(watchdog.Enabled);
        Assert.False(watchdog.HasStalled());
    }

    /// <summary>A clock that moves only when told.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
