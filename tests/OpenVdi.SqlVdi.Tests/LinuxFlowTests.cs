using OpenVdi.SqlVdi.Tests.Infrastructure;

namespace OpenVdi.SqlVdi.Tests;

/// <summary>
/// A client written as the Linux documentation and sample write one (new, Create, the statement, GetConfiguration,
/// OpenDevice, the command loop, Close), knowing nothing of OpenVdi, backs up a database through the engine daemon and
/// restores it byte for byte.
/// </summary>
[Collection(SqlVdiCollection.Name)]
public sealed class LinuxFlowTests(SqlVdiFixture fixture)
{
    [Fact(Timeout = 300_000)]
    public async Task The_documented_flow_backs_up_and_restores_a_database_byte_for_byte()
    {
        const int transfer = 1 << 20;
        var original = fixture.CreateDatabase("flow", (6 << 20) + 12345, seed: 91);
        string stripe = Path.Combine(fixture.NewDirectory("flow"), "flow.bak");

        var backup = await fixture.RunAsync("linux_flow_client", ["B", stripe], devices => SqlVdiFixture.Backup("flow", devices, transfer));
        var restore = await fixture.RunAsync("linux_flow_client", ["R", stripe], devices => SqlVdiFixture.Restore("flow_copy", devices, transfer));

        Assert.Contains(backup, line => line == $"done bytes={new FileInfo(stripe).Length} maxTransferSize={transfer}");
        Assert.Contains(restore, line => line.StartsWith("done bytes=", StringComparison.Ordinal));
        fixture.AssertSameBytes(original, "flow_copy");
    }
}
