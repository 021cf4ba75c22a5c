using OpenVdi.Transport;

namespace OpenVdi.Tests.Infrastructure;

/// <summary>Reads of the shared control segment that the public API does not show, for checking transitions.</summary>
internal static class SharedState
{
    public static ControlView Control(this Loopback loop) => new(loop);

    public readonly struct ControlView(Loopback loop)
    {
        private ControlSegment Segment => (loop.Server.Control ?? loop.Client.Control) ?? throw new InvalidOperationException("Neither side has a set open.");

        /// <summary>The set state word (<see cref="SharedSetState"/>).</summary>
        public int SetState => Segment.SetState.ReadAcquire();

        /// <summary>Whether the server's completion agent is asleep waiting for completions.</summary>
        public bool AgentWaiting => Segment.AgentWaiting.ReadAcquire() != 0;
    }
}
