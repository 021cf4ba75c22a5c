using System.Threading.Channels;
using OpenVdi.Engine.Execution;
using OpenVdi.Engine.FrontDoor.Internal;
using OpenVdi.Engine.Messages;

namespace OpenVdi.Engine.FrontDoor;

public sealed partial class EngineDaemon
{
    /// <summary>
    /// The sink the daemon gives the engine: encodes each message and result set as frames and queues them for the
    /// writer, and counts them for the <c>done</c> frame.
    /// </summary>
    private sealed class ForwardingSink : IStatementSink
    {
        private readonly ChannelWriter<byte[]> _outgoing;
        private readonly Lock _lock = new();
        private readonly List<SqlMessage> _messages = [];
        private readonly List<ResultSet> _resultSets = [];

        public ForwardingSink(ChannelWriter<byte[]> outgoing) => _outgoing = outgoing;

        public int MessageCount
        {
            get
            {
                lock (_lock)
                {
                    return _messages.Count;
                }
            }
        }

        public int ResultSetCount
        {
            get
            {
                lock (_lock)
                {
                    return _resultSets.Count;
                }
            }
        }

        public void OnMessage(SqlMessage message)
        {
            ArgumentNullException.ThrowIfNull(message);
            lock (_lock)
            {
                _messages.Add(message);
                _outgoing.TryWrite(FrameEncoder.Message(message));
            }
        }

        public void OnResultSet(ResultSet resultSet)
        {
            ArgumentNullException.ThrowIfNull(resultSet);
            lock (_lock)
            {
                _resultSets.Add(resultSet);
                foreach (byte[] frame in FrameEncoder.ResultSet(resultSet))
                {
                    _outgoing.TryWrite(frame);
                }
            }
        }

        /// <summary>
        /// Sends what the outcome holds and the sink never saw, so the client's outcome is complete whatever the
        /// engine streamed. The streamed items are expected in the outcome in the same order.
        /// </summary>
        public void ForwardMissing(StatementOutcome outcome)
        {
            List<SqlMessage> sentMessages;
            List<ResultSet> sentResultSets;
            lock (_lock)
            {
                sentMessages = [.. _messages];
                sentResultSets = [.. _resultSets];
            }

            int next = 0;
            foreach (var message in outcome.Messages)
            {
                if (next < sentMessages.Count && ReferenceEquals(sentMessages[next], message))
                {
                    next++;
                }
                else
                {
                    OnMessage(message);
                }
            }

            next = 0;
            foreach (var resultSet in outcome.ResultSets)
            {
                if (next < sentResultSets.Count && ReferenceEquals(sentResultSets[next], resultSet))
                {
                    next++;
                }
                else
                {
                    OnResultSet(resultSet);
                }
            }
        }
    }
}
