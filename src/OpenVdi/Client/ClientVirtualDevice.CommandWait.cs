namespace OpenVdi;

public sealed partial class ClientVirtualDevice
{
    /// <summary>The one pending asynchronous GetCommand of a device (see <see cref="ArmedWait{T}"/>).</summary>
    internal sealed class CommandWait : ArmedWait<CommandFetch>
    {
        private readonly ClientVirtualDevice _device;

        public CommandWait(ClientVirtualDevice device) => _device = device;

        protected override bool TryFetch(out CommandFetch value)
        {
            value = _device.TryFetch();
            return value.Result != VdiResult.VD_E_TIMEOUT;
        }

        protected override bool IsReady() => _device.HasWork();

        protected override void OnEnded() => _device.Disarm();

        /// <summary>The doorbell's audit of the device while a wait is pending (see <see cref="AuditDelivered"/>).</summary>
        public void Audit()
        {
            if (IsArmed)
            {
                _device.AuditDelivered();
            }
        }
    }
}
