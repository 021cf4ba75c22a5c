namespace OpenVdi.Engine.Devices;

/// <summary>
/// What the engine's fault injection does to a device of a <see cref="StreamingServer"/> run: it acts before each data
/// command the device sends, asynchronously, on the device's loop (so a slow or stalled server pauses that device
/// only, and never the agent's thread that carries the others).
/// </summary>
internal interface IStreamingHooks
{
    /// <summary>
    /// Called before <paramref name="command"/> (a VDC_Read or VDC_Write) is sent on <paramref name="device"/>.
    /// <paramref name="ended"/> is cancelled when the run ends (an abort, a failure), for waits that must not outlast it.
    /// </summary>
    ValueTask BeforeDataCommandAsync(StreamingDevice device, VdsCommand command, CancellationToken ended);
}
