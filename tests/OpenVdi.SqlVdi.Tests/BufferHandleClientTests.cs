using OpenVdi.SqlVdi.Tests.Infrastructure;

namespace OpenVdi.SqlVdi.Tests;

/// <summary>
/// Two native processes serve one set: the primary fetches and completes every command, a secondary process maps each
/// Read's or Write's buffer by the handle the primary took and moves the data in place. Both check every return code
/// of GetBufferHandle's and MapBufferHandle's documented tables (NOERROR, VD_E_PROTOCOL, VD_E_INVALID); the database
/// comes back byte for byte.
/// </summary>
[Collection(SqlVdiCollection.Name)]
public sealed class BufferHandleClientTests(SqlVdiFixture fixture)
{
    [Fact(Timeout = 300_000)]
    public async Task A_secondary_process_consumes_writes_and_fills_reads_through_buffer_handles()
    {
        const int transfer = 256 << 10;
        var original = fixture.CreateDatabase("handles", (3 << 20) + 4096, seed: 17);
        string stripe = Path.Combine(fixture.NewDirectory("handles"), "handles.bak");

        var backup = await fixture.RunAsync("buffer_handle_client", ["primary", "B", stripe], devices => SqlVdiFixture.Backup("handles", devices, transfer));
        var restore = await fixture.RunAsync("buffer_handle_client", ["primary", "R", stripe], devices => SqlVdiFixture.Restore("handles_copy", devices, transfer));

        // Every byte went through the secondary: the primary never touched a buffer.
        Assert.Contains(backup, line => line.StartsWith($"done bytes={new FileInfo(stripe).Length} ", StringComparison.Ordinal));
        Assert.Contains(restore, line => line.StartsWith("done bytes=", StringComparison.Ordinal));
        fixture.AssertSameBytes(original, "handles_copy");
    }
}
