using OpenVdi.Tests.Infrastructure;

namespace OpenVdi.Tests.Idiomatic;

public class DeviceCommandTests
{
    [Fact(Timeout = 20000)]
    public async Task Data_is_the_servers_buffer_in_place_and_Complete_reports_all_bytes_by_default()
    {
        using var loopback = new Loopback();
        using var set = loopback.ActiveIdiomatic(out var devices);
        nint buffer = loopback.Allocate();
        loopback.Server.GetBufferSpan(buffer, 4096).Fill(0x5A);
        var completed = new List<VdsCommand>();
        loopback.Send(0, VdCommandCode.VDC_Write, 4096, buffer, completed);

        var command = Assert.NotNull(await devices[0].GetCommandAsync().Within());

        Assert.True(command.HasData);
        Assert.Equal(4096, command.Data.Length);
        Assert.Equal(4096, command.Memory.Length);
        Assert.All(command.Data.ToArray(), b => Assert.Equal(0x5A, b));
        Assert.Same(devices[0], command.Device);

        // Writing through the view changes the server's buffer: no copy in between.
        command.Data[0] = 0xA5;
        Assert.Equal(0xA5, loopback.Server.GetBufferSpan(buffer, 1)[0]);
        command.Complete();
        Loopback.WaitForCompletions(completed, 1);
        Assert.Equal(Win32Error.ERROR_SUCCESS, completed[0].CompletionCode);
        Assert.Equal(4096u, completed[0].BytesTransferred);
    }

    [Fact(Timeout = 20000)]
    public async Task A_completed_command_refuses_a_second_completion_and_its_buffer()
    {
        using var loopback = new Loopback();
        using var set = loopback.ActiveIdiomatic(out var devices);
        loopback.Send(0, VdCommandCode.VDC_Write, 512, loopback.Allocate());
        var command = Assert.NotNull(await devices[0].GetCommandAsync().Within());
        var copy = command;

        command.Complete();

        Assert.False(copy.IsOutstanding);
        Assert.Throws<InvalidOperationException>(() => copy.Complete());
        Assert.Throws<InvalidOperationException>(() => copy.Data.Length);
        Assert.Throws<InvalidOperationException>(() => copy.Memory);
    }

    [Fact(Timeout = 30000)]
    public async Task A_stale_copy_never_touches_the_later_command_that_reuses_its_pooled_object()
    {
        // The ring has 128 slots; command 129 reuses the pooled object of command 1.
        using var loopback = new Loopback();
        using var set = loopback.ActiveIdiomatic(out var devices);
        var completed = new List<VdsCommand>();
        DeviceCommand first = default;
        VdcCommand? firstObject = null;
        for (int i = 0; i <= 128; i++)
        {
            loopback.Send(0, VdCommandCode.VDC_SkipBlocks, (uint)i, completed: completed);
            var command = Assert.NotNull(await devices[0].GetCommandAsync().Within());
            Assert.Equal((uint)i, command.Size);
            if (i == 0)
            {
                first = command;
                firstObject = command.Faithful;
                command.Complete();
            }
            else if (i < 128)
            {
                command.Complete();
            }
            else
            {
                Assert.Same(firstObject, command.Faithful);
                Assert.Throws<InvalidOperationException>(() => first.Complete());
                Assert.True(command.IsOutstanding, "The stale copy must not have completed the later command.");
                command.Complete();
            }

            Loopback.WaitForCompletions(completed, i + 1);
        }

        Assert.All(completed, c => Assert.Equal(Win32Error.ERROR_SUCCESS, c.CompletionCode));
    }

    [Fact(Timeout = 20000)]
    public async Task Misuse_is_refused_before_it_reaches_the_server()
    {
        using var loopback = new Loopback();
        using var set = loopback.ActiveIdiomatic(out var devices);
        var completed = new List<VdsCommand>();
        loopback.Send(0, VdCommandCode.VDC_Write, 1024, loopback.Allocate(), completed);
        var command = Assert.NotNull(await devices[0].GetCommandAsync().Within());

        Assert.Throws<ArgumentOutOfRangeException>(() => command.Complete(Win32Error.ERROR_SUCCESS, 1025));
        Assert.Throws<ArgumentOutOfRangeException>(() => command.Fail(Win32Error.ERROR_SUCCESS));
        Assert.True(command.IsOutstanding);
        Assert.Throws<InvalidOperationException>(() => default(DeviceCommand).Complete());
        Assert.Throws<InvalidOperationException>(() => default(DeviceCommand).Device);

        command.Complete(Win32Error.ERROR_SUCCESS, 1000);
        Loopback.WaitForCompletions(completed, 1);
        Assert.Equal(1000u, completed[0].BytesTransferred);
    }

    [Fact(Timeout = 20000)]
    public async Task After_the_set_is_disposed_the_buffer_is_refused_rather_than_read_from_unmapped_memory()
    {
        using var loopback = new Loopback();
        var set = loopback.ActiveIdiomatic(out var devices);
        loopback.Send(0, VdCommandCode.VDC_Write, 512, loopback.Allocate());
        var command = Assert.NotNull(await devices[0].GetCommandAsync().Within());

        set.Dispose();

        Assert.Throws<ObjectDisposedException>(() => command.Data.Length);
        Assert.Throws<ObjectDisposedException>(() => command.Memory);
        Assert.Throws<ObjectDisposedException>(() => command.Complete());
    }

    [Fact(Timeout = 20000)]
    public async Task Fail_reports_the_code_and_no_bytes_and_the_device_enters_IO_ERROR()
    {
        using var loopback = new Loopback();
        using var set = loopback.ActiveIdiomatic(out var devices);
        var completed = new List<VdsCommand>();
        loopback.Send(0, VdCommandCode.VDC_Write, 1024, loopback.Allocate(), completed);
        var command = Assert.NotNull(await devices[0].GetCommandAsync().Within());

        command.Fail(Win32Error.ERROR_DISK_FULL);

        Loopback.WaitForCompletions(completed, 1);
        Assert.Equal(Win32Error.ERROR_DISK_FULL, completed[0].CompletionCode);
        Assert.Equal(0u, completed[0].BytesTransferred);
        loopback.Send(0, VdCommandCode.VDC_Flush, expected: VdiResult.VD_E_IO_ERROR);
    }
}
