using OpenVdi.SqlVdi.Abi;

namespace OpenVdi.SqlServer.Tests.Linux;

/// <summary>
/// The Linux header's timeouts are <c>time_t</c> milliseconds where a negative value waits forever: the binding passes
/// <see cref="VdiTimeout.Infinite"/> as -1. (The drop-in also reads 0xFFFFFFFF as forever, for ported clients, so the
/// contract suite's waits cannot tell the two apart; Microsoft's library, taking the header at its word, would wait
/// 49 days.)
/// </summary>
public sealed class TimeoutConventionTests
{
    [Theory]
    [InlineData(VdiTimeout.Infinite, -1L)]
    [InlineData(VdiTimeout.Poll, 0L)]
    [InlineData(1000u, 1000L)]
    [InlineData(0xFFFFFFFEu, 0xFFFFFFFEL)]
    public void The_binding_passes_INFINITE_as_minus_one_and_every_other_timeout_as_it_is(uint timeoutMs, long passed)
    {
        Assert.Equal(passed, LinuxTimeout.FromVdiTimeout(timeoutMs));
        Assert.Equal(timeoutMs, LinuxTimeout.ToVdiTimeout(passed));
    }
}
