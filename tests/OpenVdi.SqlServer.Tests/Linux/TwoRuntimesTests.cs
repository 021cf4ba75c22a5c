using OpenVdi.SqlServer.TestPeer;
using OpenVdi.SqlServer.Tests.Infrastructure;
using OpenVdi.Testing;
using static OpenVdi.VdiResult;

namespace OpenVdi.SqlServer.Tests.Linux;

/// <summary>
/// The drop-in libsqlvdi.so is a NativeAOT library: loaded by the binding into this CoreCLR process, the process runs
/// two .NET runtimes, each with its own garbage collector and thread suspension. They must not disturb each other:
/// hundreds of sets (allocations in the library's runtime) and thousands of commands through it while this runtime
/// collects. OPENVDI_BINDING_SOAK=N runs N times as many (a soak, outside the default suite).
/// </summary>
[Collection(BindingCollection.Name)]
public sealed class TwoRuntimesTests(BindingFixture fixture)
{
    private static readonly int s_scale = int.TryParse(Environment.GetEnvironmentVariable("OPENVDI_BINDING_SOAK"), out int n) && n > 0 ? n : 1;
    private static readonly int s_sets = 500 * s_scale;
    private static readonly int s_commands = 5000 * s_scale;

    [Fact(Timeout = 3600000)]
    public async Task Sets_and_commands_through_the_library_survive_collections_in_both_runtimes()
    {
        await Task.Yield();
        using var stop = new CancellationTokenSource();
        var collections = Task.Factory.StartNew(() => Collect(stop.Token), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var churn = Task.Factory.StartNew(Churn, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var flow = Task.Factory.StartNew(Flow, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            Assert.Equal(s_sets, await churn.Within("creating and closing sets", 240000 * s_scale));
            Assert.Equal(s_commands, await flow.Within("the command round trips", 240000 * s_scale));
        }
        finally
        {
            await stop.CancelAsync();
        }

        Assert.True(await collections.Within("the collecting thread") > 0, "This runtime never collected while the library ran.");
    }

    /// <summary>Sets created and closed one after another: each allocates in the library's runtime.</summary>
    private int Churn()
    {
        for (int i = 0; i < s_sets; i++)
        {
            string name = SetNames.Unique("churn");
            using var client = fixture.Create(ClientImplementation.LinuxBinding);
            Assert.Equal(NOERROR, client.CreateEx(null, name, new VdConfig { DeviceCount = 4 }));
            Assert.Equal(NOERROR, client.Close());
        }

        return s_sets;
    }

    /// <summary>Commands sent by this process's server and taken and completed through the library, one at a time.</summary>
    private int Flow()
    {
        using var set = new SetUnderTest(fixture, ClientImplementation.LinuxBinding).Active();
        for (int i = 0; i < s_commands; i++)
        {
            var sent = set.Send(0, VdCommandCode.VDC_Flush);
            Assert.Equal(NOERROR, set.ClientDevices[0]!.CompleteCommand(set.Fetch(), Win32Error.ERROR_SUCCESS, 0, 0));
            set.Log.WaitFor(sent);
        }

        return s_commands;
    }

    private static int Collect(CancellationToken stop)
    {
        int collections = 0;
        var garbage = new List<byte[]>();
        while (!stop.IsCancellationRequested)
        {
            for (int i = 0; i < 256; i++)
            {
                garbage.Add(new byte[4096]);
            }

            if (garbage.Count > 16384)
            {
                garbage.Clear();
            }

            GC.Collect();
            collections++;
        }

        return collections;
    }
}
