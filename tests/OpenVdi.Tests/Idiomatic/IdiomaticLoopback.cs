using OpenVdi.Tests.Infrastructure;

namespace OpenVdi.Tests.Idiomatic;

/// <summary>Brings a <see cref="Loopback"/> to the active state with the client side seen through the idiomatic layer.</summary>
internal static class IdiomaticLoopback
{
    /// <summary>
    /// Initialized with <paramref name="buffers"/> buffers, every device opened by the server, the completion agent
    /// running, and the loopback's client adopted by a <see cref="VirtualDeviceSet"/> that opened every device.
    /// Dispose the set before the loopback (declare it after).
    /// </summary>
    public static VirtualDeviceSet ActiveIdiomatic(this Loopback loopback, out VirtualDevice[] devices, uint buffers = 8, VdFeatures serverFeatures = VdFeatures.VDF_WriteMedia)
    {
        loopback.Initialized(buffers, serverFeatures);
        for (int i = 0; i < loopback.DeviceNames.Length; i++)
        {
            Loopback.Expect(loopback.Server.OpenDevice(loopback.DeviceNames[i], out loopback.ServerDevices[i]));
        }

        loopback.StartAgent();
        var set = VirtualDeviceSet.FromFaithful(loopback.Client);
        devices = loopback.DeviceNames.Select(set.OpenDevice).ToArray();
        return set;
    }

    /// <summary>Random bytes from a fixed seed, so a misplaced, lost or repeated chunk shows.</summary>
    public static byte[] Pattern(int length, int seed = 1)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    /// <summary>Fails the test when <paramref name="task"/> does not finish in time, rather than hanging it.</summary>
    public static async Task Within(this Task task, int milliseconds = 10000) =>
        await task.WaitAsync(TimeSpan.FromMilliseconds(milliseconds));

    /// <inheritdoc cref="Within(Task, int)"/>
    public static async Task<T> Within<T>(this Task<T> task, int milliseconds = 10000) =>
        await task.WaitAsync(TimeSpan.FromMilliseconds(milliseconds));

    /// <inheritdoc cref="Within(Task, int)"/>
    public static Task<T> Within<T>(this ValueTask<T> task, int milliseconds = 10000) => task.AsTask().Within(milliseconds);

    /// <inheritdoc cref="Within(Task, int)"/>
    public static Task Within(this ValueTask task, int milliseconds = 10000) => task.AsTask().Within(milliseconds);
}
