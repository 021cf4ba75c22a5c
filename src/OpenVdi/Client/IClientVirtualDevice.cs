namespace OpenVdi;

/// <summary>
/// One virtual device of a set, client side (<c>IClientVirtualDevice</c>): the command loop. A device is meant to
/// be driven by one thread; completions may come from another thread or from the process that took a buffer
/// handle for the command.
/// </summary>
public interface IClientVirtualDevice
{
    /// <summary>
    /// Fetches the next command for this device, waiting up to <paramref name="timeoutMs"/> milliseconds
    /// (<see cref="VdiTimeout.Infinite"/> waits forever, 0 polls). Several commands may be outstanding at once;
    /// they are delivered in the order the server sent them.
    /// </summary>
    /// <returns>
    /// <see cref="VdiResult.NOERROR"/> with the command; <see cref="VdiResult.VD_E_CLOSE"/> once the server closed the
    /// device and every earlier command was fetched (the normal end); <see cref="VdiResult.VD_E_TIMEOUT"/>;
    /// <see cref="VdiResult.VD_E_ABORT"/> when the set aborted; <see cref="VdiResult.VD_E_PROTOCOL"/> when the set is
    /// not active here; <see cref="VdiResult.VD_E_UNEXPECTED"/> when the shared segment is corrupt (the set aborts).
    /// </returns>
    VdiResult GetCommand(uint timeoutMs, out VdcCommand? command);

    /// <summary>
    /// Completes a command fetched by <see cref="GetCommand"/>. Any code but ERROR_SUCCESS puts the device in the
    /// IO-ERROR state until the server sends VDC_ClearError. After this call the buffer is the server's again.
    /// </summary>
    /// <param name="command">The command object GetCommand returned.</param>
    /// <param name="completionCode">A Win32 code (<see cref="Win32Error"/>).</param>
    /// <param name="bytesTransferred">Bytes moved, for VDC_Read and VDC_Write; at most the command's size.</param>
    /// <param name="position">The resulting position, for VDC_GetPosition and VDC_SetPosition.</param>
    /// <returns>
    /// <see cref="VdiResult.NOERROR"/>; <see cref="VdiResult.VD_E_INVALID"/> for a command that is not outstanding on
    /// this device (unknown, or already completed) or a byte count above its size; <see cref="VdiResult.VD_E_ABORT"/>;
    /// <see cref="VdiResult.VD_E_PROTOCOL"/> when the device is not open.
    /// </returns>
    VdiResult CompleteCommand(VdcCommand command, uint completionCode, uint bytesTransferred, ulong position);
}
