namespace OpenVdi;

/// <summary>One device of a set, server side (<c>IServerVirtualDevice</c>).</summary>
public interface IServerVirtualDevice
{
    /// <summary>
    /// Queues <paramref name="command"/> to the client. On completion the agent fills the outputs and runs the
    /// command's completion routine. When sending fails the routine still runs, at once on this thread, with
    /// ERROR_NO_SYSTEM_RESOURCES (queue full), ERROR_IO_DEVICE (IO-ERROR), ERROR_INVALID_HANDLE (not active) or
    /// ERROR_OPERATION_ABORTED (abort, or a corrupt segment). One thread at a time may send on a device.
    /// </summary>
    /// <returns>
    /// <see cref="VdiResult.NOERROR"/>; <see cref="VdiResult.VD_E_QUEUE_FULL"/>; <see cref="VdiResult.VD_E_IO_ERROR"/>
    /// (only ClearError is accepted in IO-ERROR); <see cref="VdiResult.VD_E_PROTOCOL"/> when the device is not active
    /// (closed, or the set not configured) or another thread is sending on it; <see cref="VdiResult.VD_E_ABORT"/>;
    /// <see cref="VdiResult.VD_E_UNEXPECTED"/> when the shared segment is corrupt (the set aborts);
    /// <see cref="VdiResult.VD_E_INVALID"/> (no routine run) for a null command, an unknown code, or a Read or Write
    /// whose buffer is not an allocated buffer of this set, free of other commands, holding Size bytes.
    /// </returns>
    VdiResult SendCommand(VdsCommand command);

    /// <summary>
    /// Closes the device: the client's GetCommand returns VD_E_CLOSE once it fetched every earlier command. When the
    /// last device closes, the set is normally terminated and the completion agent returns after the last completion.
    /// </summary>
    /// <returns>
    /// <see cref="VdiResult.NOERROR"/>; <see cref="VdiResult.VD_E_CLOSE"/> when already closed;
    /// <see cref="VdiResult.VD_E_ABORT"/> when the set aborted (nothing to do); <see cref="VdiResult.VD_E_UNEXPECTED"/>
    /// when the shared segment is corrupt (the set aborts).
    /// </returns>
    VdiResult CloseDevice();
}
