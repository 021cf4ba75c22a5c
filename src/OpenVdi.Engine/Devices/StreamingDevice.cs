namespace OpenVdi.Engine.Devices;

/// <summary>A device of a running <see cref="StreamingServer"/>, as its <see cref="IStreamingHooks"/> see it.</summary>
internal readonly struct StreamingDevice
{
    private readonly StreamingServer _server;
    private readonly StreamingServer.DeviceState _state;

    internal StreamingDevice(StreamingServer server, StreamingServer.DeviceState state)
    {
        _server = server;
        _state = state;
    }

    public int Index => _state.Index;

    public ServerVirtualDeviceSet Set => _server.Set;

    /// <summary>Closes the device (the loop's next send is then refused).</summary>
    public void Close() => _state.Device.CloseDevice();

    /// <summary>Sends a command without data once the device's commands in flight completed; returns its completion code.</summary>
    public ValueTask<uint> SendAndWaitAsync(VdCommandCode code) => _server.SendAloneAsync(_state, code);
}
