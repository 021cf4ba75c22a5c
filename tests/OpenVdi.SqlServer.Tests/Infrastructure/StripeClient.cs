using OpenVdi.Engine.Execution;
using OpenVdi.Testing;

namespace OpenVdi.SqlServer.Tests.Infrastructure;

/// <summary>
/// A backup application in miniature, written once against the client interfaces: it creates a set of any
/// implementation, has the engine run the statement, and serves each device on a thread of its own, keeping every
/// device's stripe in memory (a backup writes it, a restore reads it back).
/// </summary>
public static class StripeClient
{
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(120);

    /// <summary>
    /// Creates the set with <paramref name="stripes"/>.Length devices on <paramref name="client"/>, sends
    /// <paramref name="statement"/> (given the device names) to the engine and serves the devices until each ends.
    /// Returns the statement's outcome.
    /// </summary>
    public static async Task<StatementOutcome> RunAsync(IClientVirtualDeviceSet2 client, EnginePeer engine, MemoryStream[] stripes, Func<IReadOnlyList<string>, string> statement)
    {
        string name = SetNames.Unique();
        string[] devices = Enumerable.Range(0, stripes.Length).Select(i => i == 0 ? name : $"{name}-{i}").ToArray();
        Assert.Equal(VdiResult.NOERROR, client.CreateEx(null, name, new VdConfig { DeviceCount = (uint)stripes.Length, Features = VdFeatures.VDF_LikePipe }));
        var run = engine.ExecuteAsync(statement(devices), s_limit);

        // The documented loop: short waits for the configuration, watching the statement, which fails before
        // configuring if it cannot start.
        VdiResult configured;
        while ((configured = client.GetConfiguration(1000, out _)) == VdiResult.VD_E_TIMEOUT)
        {
            Assert.False(run.IsCompleted, $"The statement ended before the server configured the set: {Describe(await run)}");
        }

        Assert.Equal(VdiResult.NOERROR, configured);
        var loops = new Task[stripes.Length];
        for (int i = 0; i < stripes.Length; i++)
        {
            Assert.Equal(VdiResult.NOERROR, client.OpenDevice(devices[i], out var device));
            var stripe = stripes[i];
            loops[i] = Task.Factory.StartNew(() => Serve(device!, stripe), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        var outcome = await run;
        await Task.WhenAll(loops).WaitAsync(s_limit);
        Assert.Equal(VdiResult.NOERROR, client.Close());
        Assert.Empty(SetNames.SegmentsOf(name));
        return outcome;
    }

    /// <summary>The outcome's messages, for a failure's text.</summary>
    public static string Describe(StatementOutcome outcome) => string.Join(" | ", outcome.Messages.Select(m => m.ToString()));

    /// <summary>One device's loop, until VD_E_CLOSE: Write appends to the stripe, Read reads it back, the rest succeed.</summary>
    private static void Serve(IClientVirtualDevice device, MemoryStream stripe)
    {
        while (true)
        {
            var result = device.GetCommand(VdiTimeout.Infinite, out var command);
            if (result == VdiResult.VD_E_CLOSE)
            {
                return;
            }

            Assert.True(result == VdiResult.NOERROR, $"GetCommand answered {result}.");
            uint code = Win32Error.ERROR_SUCCESS;
            uint bytes = 0;
            switch (command!.CommandCode)
            {
                case VdCommandCode.VDC_Write:
                    stripe.Write(command.Data);
                    bytes = command.Size;
                    break;

                case VdCommandCode.VDC_Read:
                    bytes = (uint)stripe.Read(command.Data);
                    code = bytes == command.Size ? Win32Error.ERROR_SUCCESS : Win32Error.ERROR_HANDLE_EOF;
                    break;

                case VdCommandCode.VDC_Flush:
                case VdCommandCode.VDC_ClearError:
                case VdCommandCode.VDC_Complete:
                    break;

                default:
                    code = Win32Error.ERROR_NOT_SUPPORTED;
                    break;
            }

            Assert.Equal(VdiResult.NOERROR, device.CompleteCommand(command, code, bytes, 0));
        }
    }
}
