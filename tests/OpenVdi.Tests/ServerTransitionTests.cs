using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using OpenVdi.Tests.Infrastructure;
using OpenVdi.Transport;
using static OpenVdi.VdiResult;

namespace OpenVdi.Tests;

/// <summary>
/// The server transition table (spec §5.3, with the Connected column the published table lacks), cell by cell, and
/// the server-side rules: configuration validation, buffer requests and allocation, the completion agent, Close.
/// </summary>
public class ServerTransitionTests
{
    public enum ServerState
    {
        DNE,
        Connected,
        Configurable,
        Initializing,
        Active,
        NormallyTerminated,
        Abort,
    }

    public enum ServerCall
    {
        Open,
        GetConfiguration,
        BeginConfiguration,
        RequestBuffers,
        QueryAvailableBuffers,
        EndConfiguration,
        OpenDevice,
        ExecuteCompletionAgent,
        AllocateBuffer,
        FreeBuffer,
        SendCommand,
        CloseDevice,
        SignalAbort,
        Close,
    }

    /// <summary>
    /// §5.3 as a table, with the Connected column. Cells decided beyond the published table (see the report):
    /// BeginConfiguration and RequestBuffers after an abort answer VD_E_ABORT (their method pages list VD_E_ABORT; the
    /// table's PROTOCOL is read as "not valid"); QueryAvailableBuffers, which no method page covers, answers the table's
    /// VD_E_PROTOCOL; RequestBuffers and QueryAvailableBuffers in
    /// Connected are PROTOCOL (nothing to size before BeginConfiguration); ExecuteCompletionAgent in Normally Terminated
    /// returns NOERROR at once (an agent started late still owes the routines of what is outstanding); AllocateBuffer
    /// in Normally Terminated is PROTOCOL; FreeBuffer after an abort is NOERROR (buffers are handed back while cleaning
    /// up, §9.3).
    /// </summary>
    public static TheoryData<ServerCall, ServerState, VdiResult> Table => new()
    {
        { ServerCall.Open, ServerState.DNE, NOERROR },
        { ServerCall.Open, ServerState.Connected, VD_E_PROTOCOL },
        { ServerCall.Open, ServerState.Configurable, VD_E_PROTOCOL },
        { ServerCall.Open, ServerState.Initializing, VD_E_PROTOCOL },
        { ServerCall.Open, ServerState.Active, VD_E_PROTOCOL },
        { ServerCall.Open, ServerState.NormallyTerminated, VD_E_PROTOCOL },
        { ServerCall.Open, ServerState.Abort, VD_E_PROTOCOL },

        { ServerCall.GetConfiguration, ServerState.DNE, VD_E_PROTOCOL },
        { ServerCall.GetConfiguration, ServerState.Connected, NOERROR },
        { ServerCall.GetConfiguration, ServerState.Configurable, NOERROR },
        { ServerCall.GetConfiguration, ServerState.Initializing, NOERROR },
        { ServerCall.GetConfiguration, ServerState.Active, NOERROR },
        { ServerCall.GetConfiguration, ServerState.NormallyTerminated, NOERROR },
        { ServerCall.GetConfiguration, ServerState.Abort, VD_E_ABORT },

        { ServerCall.BeginConfiguration, ServerState.DNE, VD_E_PROTOCOL },
        { ServerCall.BeginConfiguration, ServerState.Connected, NOERROR },
        { ServerCall.BeginConfiguration, ServerState.Configurable, VD_E_PROTOCOL },
        { ServerCall.BeginConfiguration, ServerState.Initializing, VD_E_PROTOCOL },
        { ServerCall.BeginConfiguration, ServerState.Active, VD_E_PROTOCOL },
        { ServerCall.BeginConfiguration, ServerState.NormallyTerminated, VD_E_PROTOCOL },
        { ServerCall.BeginConfiguration, ServerState.Abort, VD_E_ABORT },

        { ServerCall.RequestBuffers, ServerState.DNE, VD_E_PROTOCOL },
        { ServerCall.RequestBuffers, ServerState.Connected, VD_E_PROTOCOL },
        { ServerCall.RequestBuffers, ServerState.Configurable, NOERROR },
        { ServerCall.RequestBuffers, ServerState.Initializing, NOERROR },
        { ServerCall.RequestBuffers, ServerState.Active, NOERROR },
        { ServerCall.RequestBuffers, ServerState.NormallyTerminated, VD_E_PROTOCOL },
        { ServerCall.RequestBuffers, ServerState.Abort, VD_E_ABORT },

        { ServerCall.QueryAvailableBuffers, ServerState.DNE, VD_E_PROTOCOL },
        { ServerCall.QueryAvailableBuffers, ServerState.Connected, VD_E_PROTOCOL },
        { ServerCall.QueryAvailableBuffers, ServerState.Configurable, NOERROR },
        { ServerCall.QueryAvailableBuffers, ServerState.Initializing, NOERROR },
        { ServerCall.QueryAvailableBuffers, ServerState.Active, NOERROR },
        { ServerCall.QueryAvailableBuffers, ServerState.NormallyTerminated, VD_E_PROTOCOL },
        { ServerCall.QueryAvailableBuffers, ServerState.Abort, VD_E_PROTOCOL },

        { ServerCall.EndConfiguration, ServerState.DNE, VD_E_PROTOCOL },
        { ServerCall.EndConfiguration, ServerState.Connected, VD_E_PROTOCOL },
        { ServerCall.EndConfiguration, ServerState.Configurable, NOERROR },
        { ServerCall.EndConfiguration, ServerState.Initializing, VD_E_PROTOCOL },
        { ServerCall.EndConfiguration, ServerState.Active, VD_E_PROTOCOL },
        { ServerCall.EndConfiguration, ServerState.NormallyTerminated, VD_E_PROTOCOL },
        { ServerCall.EndConfiguration, ServerState.Abort, VD_E_ABORT },

        { ServerCall.OpenDevice, ServerState.DNE, VD_E_PROTOCOL },
        { ServerCall.OpenDevice, ServerState.Connected, VD_E_PROTOCOL },
        { ServerCall.OpenDevice, ServerState.Configurable, VD_E_PROTOCOL },
        { ServerCall.OpenDevice, ServerState.Initializing, NOERROR },
        { ServerCall.OpenDevice, ServerState.Active, NOERROR },
        { ServerCall.OpenDevice, ServerState.NormallyTerminated, VD_E_PROTOCOL },
        { ServerCall.OpenDevice, ServerState.Abort, VD_E_ABORT },

        { ServerCall.ExecuteCompletionAgent, ServerState.DNE, VD_E_PROTOCOL },
        { ServerCall.ExecuteCompletionAgent, ServerState.Connected, VD_E_PROTOCOL },
        { ServerCall.ExecuteCompletionAgent, ServerState.Configurable, VD_E_PROTOCOL },
        { ServerCall.ExecuteCompletionAgent, ServerState.Initializing, NOERROR },
        { ServerCall.ExecuteCompletionAgent, ServerState.Active, NOERROR },
        { ServerCall.ExecuteCompletionAgent, ServerState.NormallyTerminated, NOERROR },
        { ServerCall.ExecuteCompletionAgent, ServerState.Abort, VD_E_ABORT },

        { ServerCall.AllocateBuffer, ServerState.DNE, VD_E_PROTOCOL },
        { ServerCall.AllocateBuffer, ServerState.Connected, VD_E_PROTOCOL },
        { ServerCall.AllocateBuffer, ServerState.Configurable, VD_E_PROTOCOL },
        { ServerCall.AllocateBuffer, ServerState.Initializing, NOERROR },
        { ServerCall.AllocateBuffer, ServerState.Active, NOERROR },
        { ServerCall.AllocateBuffer, ServerState.NormallyTerminated, VD_E_PROTOCOL },
        { ServerCall.AllocateBuffer, ServerState.Abort, VD_E_ABORT },

        { ServerCall.FreeBuffer, ServerState.DNE, VD_E_PROTOCOL },
        { ServerCall.FreeBuffer, ServerState.Connected, VD_E_PROTOCOL },
        { ServerCall.FreeBuffer, ServerState.Configurable, VD_E_PROTOCOL },
        { ServerCall.FreeBuffer, ServerState.Initializing, NOERROR },
        { ServerCall.FreeBuffer, ServerState.Active, NOERROR },
        { ServerCall.FreeBuffer, ServerState.NormallyTerminated, NOERROR },
        { ServerCall.FreeBuffer, ServerState.Abort, NOERROR },

        { ServerCall.SendCommand, ServerState.DNE, VD_E_PROTOCOL },
        { ServerCall.SendCommand, ServerState.Active, NOERROR },
        { ServerCall.SendCommand, ServerState.NormallyTerminated, VD_E_PROTOCOL },
        { ServerCall.SendCommand, ServerState.Abort, VD_E_ABORT },

        { ServerCall.CloseDevice, ServerState.DNE, VD_E_PROTOCOL },
        { ServerCall.CloseDevice, ServerState.Active, NOERROR },
        { ServerCall.CloseDevice, ServerState.NormallyTerminated, VD_E_CLOSE },
        { ServerCall.CloseDevice, ServerState.Abort, VD_E_ABORT },

        { ServerCall.SignalAbort, ServerState.DNE, VD_E_PROTOCOL },
        { ServerCall.SignalAbort, ServerState.Connected, NOERROR },
        { ServerCall.SignalAbort, ServerState.Configurable, NOERROR },
        { ServerCall.SignalAbort, ServerState.Initializing, NOERROR },
        { ServerCall.SignalAbort, ServerState.Active, NOERROR },
        { ServerCall.SignalAbort, ServerState.NormallyTerminated, NOERROR },
        { ServerCall.SignalAbort, ServerState.Abort, NOERROR },

        { ServerCall.Close, ServerState.DNE, VD_E_PROTOCOL },
        { ServerCall.Close, ServerState.Connected, NOERROR },
        { ServerCall.Close, ServerState.Configurable, NOERROR },
        { ServerCall.Close, ServerState.Initializing, NOERROR },
        { ServerCall.Close, ServerState.Active, VD_E_PROTOCOL },
        { ServerCall.Close, ServerState.NormallyTerminated, NOERROR },
        { ServerCall.Close, ServerState.Abort, NOERROR },
    };

    /// <summary>
    /// The SendCommand and CloseDevice cells of Connected, Configurable and Initializing. No device of the current set
    /// exists before Active, so these call the device the same object had in its previous set: expected VD_E_PROTOCOL
    /// (SendCommand: routine run with ERROR_INVALID_HANDLE), and the current set left alone.
    /// </summary>
    public static TheoryData<ServerCall, ServerState, VdiResult> DeviceOfAPreviousSetCells => new()
    {
        { ServerCall.SendCommand, ServerState.Connected, VD_E_PROTOCOL },
        { ServerCall.SendCommand, ServerState.Configurable, VD_E_PROTOCOL },
        { ServerCall.SendCommand, ServerState.Initializing, VD_E_PROTOCOL },
        { ServerCall.CloseDevice, ServerState.Connected, VD_E_PROTOCOL },
        { ServerCall.CloseDevice, ServerState.Configurable, VD_E_PROTOCOL },
        { ServerCall.CloseDevice, ServerState.Initializing, VD_E_PROTOCOL },
    };

    [Theory(Timeout = 30000)]
    [MemberData(nameof(DeviceOfAPreviousSetCells))]
    public async Task The_device_cells_before_Active_use_a_device_of_a_previous_set(ServerCall call, ServerState state, VdiResult expected)
    {
        await Task.Yield();
        using var scene = ServerScene.Enter(state);
        var actual = await scene.InvokeAsync(call, state);
        Assert.True(expected == actual, $"{call} in {state}: expected {expected}, got {actual}.");
        scene.AssertStateAfter(call, state, actual);
    }

    [Theory(Timeout = 30000)]
    [MemberData(nameof(Table))]
    public async Task Every_cell_of_the_server_transition_table(ServerCall call, ServerState state, VdiResult expected)
    {
        await Task.Yield();
        using var scene = ServerScene.Enter(state);
        var actual = await scene.InvokeAsync(call, state);
        Assert.True(expected == actual, $"{call} in {state}: expected {expected}, got {actual}.");
        scene.AssertStateAfter(call, state, actual);
    }

    [Fact(Timeout = 20000)]
    public async Task The_last_CloseDevice_terminates_the_set_normally_and_the_agent_returns_NOERROR()
    {
        await Task.Yield();
        using var loop = new Loopback(deviceCount: 2).Active();
        Assert.Equal(NOERROR, loop.ServerDevices[1]!.CloseDevice());
        Assert.Equal(VD_E_OPEN, loop.Server.OpenDevice("one-more", out _));
        Assert.Equal(NOERROR, loop.ServerDevices[0]!.CloseDevice());

        // Normally Terminated: OpenDevice is PROTOCOL now, not OPEN; the configuration is still there on both sides.
        Assert.Equal(VD_E_PROTOCOL, loop.Server.OpenDevice("one-more", out _));
        Assert.Equal(NOERROR, loop.AgentResult());
        Assert.Equal(NOERROR, loop.Server.GetConfiguration(out var config));
        Assert.Equal(2u, config.DeviceCount);
        Assert.Equal(VD_E_CLOSE, loop.ClientDevices[0]!.GetCommand(Waits.Prompt, out _));
        Assert.Equal(VD_E_CLOSE, loop.ClientDevices[1]!.GetCommand(Waits.Prompt, out _));
        Assert.Equal(NOERROR, loop.Client.GetConfiguration(0, out _));
        Assert.Equal(NOERROR, loop.Client.Close());
        Assert.Equal(NOERROR, loop.Server.Close());
    }

    // ---- Open ----

    [Fact(Timeout = 20000)]
    public async Task Open_of_a_set_that_does_not_exist_or_is_already_connected_is_VD_E_INVALID()
    {
        await Task.Yield();
        using var loop = new Loopback().Created();
        using (var nobody = new ServerVirtualDeviceSet())
        {
            Assert.Equal(VD_E_INVALID, nobody.Open(null, SetNames.Unique()));
            Assert.Equal(VD_E_INVALID, nobody.Open("OTHERINSTANCE", loop.Name));
            Assert.Equal(VD_E_INVALID, nobody.Open(null, loop.Name.ToUpperInvariant()));
            Assert.Equal(VD_E_INSTANCE_NAME, nobody.Open("bad instance", loop.Name));
            Assert.Null(nobody.Name);
        }

        Loopback.Expect(loop.Server.Open(null, loop.Name));
        using var second = new ServerVirtualDeviceSet();
        Assert.Equal(VD_E_INVALID, second.Open(null, loop.Name));
        Assert.Null(second.Name);
    }

    /// <summary>Decided: Open lists VD_E_ABORT; a set its client already aborted is not opened for configuring.</summary>
    [Fact(Timeout = 20000)]
    public async Task Open_of_a_set_the_client_already_aborted_is_VD_E_ABORT()
    {
        await Task.Yield();
        using var loop = new Loopback().Created();
        Loopback.Expect(loop.Client.SignalAbort());
        Assert.Equal(VD_E_ABORT, loop.Server.Open(null, loop.Name));
    }

    // ---- OpenDevice on the server ----

    [Fact(Timeout = 20000)]
    public async Task Server_OpenDevice_names_devices_and_refuses_duplicates_invalid_names_and_a_full_set()
    {
        await Task.Yield();
        using var loop = new Loopback(deviceCount: 3).Initialized();
        Assert.Equal(VD_E_INVALID, loop.Server.OpenDevice(string.Empty, out _));
        Assert.Equal(VD_E_INVALID, loop.Server.OpenDevice("back\\slash", out _));
        Assert.Equal(NOERROR, loop.Server.OpenDevice("second", out var second));
        Assert.NotNull(second);
        Assert.Equal(VD_E_INVALID, loop.Server.OpenDevice("second", out var duplicate));
        Assert.Null(duplicate);
        Assert.Equal(NOERROR, loop.Server.OpenDevice("third", out _));

        // Only the device named after the set is left: another name cannot take it.
        Assert.Equal(VD_E_INVALID, loop.Server.OpenDevice("fourth", out _));
        Assert.Equal(NOERROR, loop.Server.OpenDevice(loop.Name, out var first));
        Assert.NotNull(first);
        Assert.Equal(VD_E_OPEN, loop.Server.OpenDevice("fourth", out var none));
        Assert.Null(none);
        Assert.Equal(VD_E_OPEN, loop.Server.OpenDevice(loop.Name, out _));
    }

    [Fact(Timeout = 20000)]
    public async Task A_second_completion_agent_while_one_runs_is_VD_E_PROTOCOL()
    {
        await Task.Yield();
        using var loop = new Loopback().Active();
        Waits.Until(() => loop.Control().AgentWaiting, "the first completion agent is waiting for completions");
        Assert.Equal(VD_E_PROTOCOL, await Waits.OnOwnThread(loop.Server.ExecuteCompletionAgent).Within("a second ExecuteCompletionAgent"));
        Assert.Equal(NOERROR, loop.ServerDevices[0]!.CloseDevice());
        Assert.Equal(NOERROR, loop.AgentResult());
    }

    // ---- BeginConfiguration validation ----

    public static TheoryData<VdFeatures, uint, uint, uint> ValidConfigurations => new()
    {
        { VdFeatures.VDF_WriteMedia, 512, 0, 65536 },
        { VdFeatures.VDF_ReadMedia, 65536, 0, 4 * 1024 * 1024 },
        { VdFeatures.VDF_WriteMedia | VdFeatures.VDF_ReadMedia, 4096, 65536, 1024 * 1024 },
        { VdFeatures.VDF_WriteMedia, 1024, 1024, 65536 },
        { VdFeatures.VDF_WriteMedia, 512, 8192, 3 * 65536 },
        { VdFeatures.VDF_WriteMedia | VdFeatures.VDF_RequestComplete | VdFeatures.VDF_CompleteEnabled, 512, 0, 65536 },
        { VdFeatures.VDF_WriteMedia | VdFeatures.VDF_CompleteEnabled, 512, 0, 65536 },
        { VdFeatures.VDF_WriteMedia | VdFeatures.VDF_RequestComplete, 512, 0, 65536 },
    };

    [Theory(Timeout = 20000)]
    [MemberData(nameof(ValidConfigurations))]
    public async Task BeginConfiguration_accepts_documented_values(VdFeatures features, uint blockSize, uint alignment, uint maxTransferSize)
    {
        await Task.Yield();
        using var loop = new Loopback(clientFeatures: VdFeatures.VDF_RequestComplete).Connected();
        Assert.Equal(NOERROR, loop.Server.BeginConfiguration(features, blockSize, alignment, maxTransferSize, 0));
        Loopback.Expect(loop.Server.EndConfiguration());
        Assert.Equal(NOERROR, loop.Client.GetConfiguration(0, out var config));
        Assert.Equal(features, config.Features);
        Assert.Equal(blockSize, config.BlockSize);
        Assert.Equal(maxTransferSize, config.MaxTransferSize);
    }

    public static TheoryData<string, VdFeatures, uint, uint, uint> InvalidConfigurations => new()
    {
        { "block size 0", VdFeatures.VDF_WriteMedia, 0, 0, 65536 },
        { "block size 256", VdFeatures.VDF_WriteMedia, 256, 0, 65536 },
        { "block size 1000", VdFeatures.VDF_WriteMedia, 1000, 0, 65536 },
        { "block size 3072", VdFeatures.VDF_WriteMedia, 3072, 0, 65536 },
        { "block size 128 KiB", VdFeatures.VDF_WriteMedia, 131072, 0, 131072 },
        { "alignment below the block size", VdFeatures.VDF_WriteMedia, 4096, 1024, 65536 },
        { "alignment 256", VdFeatures.VDF_WriteMedia, 512, 256, 65536 },
        { "alignment not a power of two", VdFeatures.VDF_WriteMedia, 512, 3072, 65536 },
        { "alignment 128 KiB", VdFeatures.VDF_WriteMedia, 512, 131072, 65536 },
        { "max transfer 0", VdFeatures.VDF_WriteMedia, 512, 0, 0 },
        { "max transfer 65535", VdFeatures.VDF_WriteMedia, 512, 0, 65535 },
        { "max transfer 100000", VdFeatures.VDF_WriteMedia, 512, 0, 100000 },
        { "max transfer 32 KiB", VdFeatures.VDF_WriteMedia, 512, 0, 32768 },
        { "max transfer over 4 MiB", VdFeatures.VDF_WriteMedia, 512, 0, (4 * 1024 * 1024) + 65536 },
        { "neither WriteMedia nor ReadMedia", VdFeatures.VDF_LikePipe, 512, 0, 65536 },
        { "only client bits", VdFeatures.VDF_RequestComplete, 512, 0, 65536 },
        { "a client bit the client did not ask", VdFeatures.VDF_WriteMedia | VdFeatures.VDF_RandomAccess, 512, 0, 65536 },
        { "an undocumented bit", VdFeatures.VDF_WriteMedia | VdFeatures.VDF_LatchStats, 512, 0, 65536 },
    };

    [Theory(Timeout = 20000)]
    [MemberData(nameof(InvalidConfigurations))]
    public async Task BeginConfiguration_refuses_invalid_values_with_VD_E_INVALID_and_stays_Connected(string why, VdFeatures features, uint blockSize, uint alignment, uint maxTransferSize)
    {
        await Task.Yield();
        using var loop = new Loopback(clientFeatures: VdFeatures.VDF_RequestComplete).Connected();
        var result = loop.Server.BeginConfiguration(features, blockSize, alignment, maxTransferSize, 0);
        Assert.True(result == VD_E_INVALID, $"BeginConfiguration with {why}: expected VD_E_INVALID, got {result}.");

        // Still Connected: nothing to end, and a valid configuration is accepted.
        Assert.Equal(VD_E_PROTOCOL, loop.Server.EndConfiguration());
        Assert.Equal(NOERROR, loop.Server.BeginConfiguration(VdFeatures.VDF_WriteMedia, 512, 0, 65536, 0));
    }

    [Fact(Timeout = 20000)]
    public async Task CompleteEnabled_is_refused_unless_the_client_asked_with_RequestComplete()
    {
        await Task.Yield();
        using var loop = new Loopback().Connected();
        Assert.Equal(VD_E_INVALID, loop.Server.BeginConfiguration(VdFeatures.VDF_WriteMedia | VdFeatures.VDF_CompleteEnabled, 512, 0, 65536, 0));
        Assert.Equal(VD_E_INVALID, loop.Server.BeginConfiguration(VdFeatures.VDF_WriteMedia | VdFeatures.VDF_RequestComplete | VdFeatures.VDF_CompleteEnabled, 512, 0, 65536, 0));
        Assert.Equal(NOERROR, loop.Server.BeginConfiguration(VdFeatures.VDF_WriteMedia, 512, 0, 65536, 0));
    }

    // ---- RequestBuffers / QueryAvailableBuffers / EndConfiguration ----

    [Theory(Timeout = 20000)]
    [InlineData(0u, 0u, 1u)]
    [InlineData(65536u, 0u, 0u)]
    [InlineData(65536u, 3u, 1u)]
    [InlineData(65536u, 3072u, 1u)]
    [InlineData(65536u, 131072u, 1u)]
    public async Task RequestBuffers_with_a_zero_size_or_count_or_a_bad_alignment_is_VD_E_INVALID(uint size, uint alignment, uint count)
    {
        await Task.Yield();
        using var loop = new Loopback().Configurable();
        Assert.Equal(VD_E_INVALID, loop.Server.RequestBuffers(size, alignment, count));
        Assert.Equal(NOERROR, loop.Server.RequestBuffers(65536, 0, 1));
        Assert.Equal(NOERROR, loop.Server.EndConfiguration());
        Assert.Equal(NOERROR, loop.Server.QueryAvailableBuffers(1, 0, out uint available));
        Assert.Equal(1u, available);
    }

    [Fact(Timeout = 20000)]
    public async Task RequestBuffers_for_more_buffers_than_can_exist_is_VD_E_MEMORY()
    {
        await Task.Yield();
        using var loop = new Loopback().Configurable();
        Assert.Equal(VD_E_MEMORY, loop.Server.RequestBuffers(512, 0, uint.MaxValue));
        Assert.Equal(NOERROR, loop.Server.RequestBuffers(512, 0, 1));
        Assert.Equal(NOERROR, loop.Server.EndConfiguration());
    }

    /// <summary>The interface: "how many buffers ... can still be allocated (declared ones included)".</summary>
    [Fact(Timeout = 20000)]
    public async Task QueryAvailableBuffers_while_configuring_counts_the_declared_buffers()
    {
        await Task.Yield();
        using var loop = new Loopback().Configurable();
        Assert.Equal(NOERROR, loop.Server.QueryAvailableBuffers(65536, 0, out uint none));
        Assert.Equal(0u, none);
        Loopback.Expect(loop.Server.RequestBuffers(65536, 0, 4));
        Assert.Equal(NOERROR, loop.Server.QueryAvailableBuffers(65536, 0, out uint declared));
        Assert.Equal(4u, declared);
    }

    [Fact(Timeout = 20000)]
    public async Task QueryAvailableBuffers_counts_free_buffers_that_fit_and_RequestBuffers_after_configuration_adds_them_at_once()
    {
        await Task.Yield();
        using var loop = new Loopback().Configurable();
        Loopback.Expect(loop.Server.RequestBuffers(65536, 0, 4));
        Loopback.Expect(loop.Server.EndConfiguration());

        Assert.Equal(4u, Available(loop, 65536, 0));
        Assert.Equal(4u, Available(loop, 4096, 0));
        Assert.Equal(0u, Available(loop, 65537, 0));
        Assert.Equal(0u, Available(loop, 65536, 65536));

        nint buffer = loop.Allocate();
        Assert.Equal(3u, Available(loop, 65536, 0));

        // Initializing: made at once.
        Assert.Equal(NOERROR, loop.Server.RequestBuffers(65536, 0, 2));
        Assert.Equal(5u, Available(loop, 65536, 0));
        Assert.Equal(NOERROR, loop.Server.RequestBuffers(131072, 65536, 1));
        Assert.Equal(1u, Available(loop, 65536, 65536));
        Assert.Equal(1u, Available(loop, 131072, 0));
        Assert.Equal(NOERROR, loop.Server.AllocateBuffer(out nint big, 131072, 65536));
        Assert.Equal(0, big % 65536);
        Assert.Equal(0u, Available(loop, 131072, 0));

        Loopback.Expect(loop.Server.FreeBuffer(buffer, 65536));
        Assert.Equal(6u, Available(loop, 65536, 0));
    }

    [Fact(Timeout = 20000)]
    public async Task EndConfiguration_that_cannot_get_the_memory_is_VD_E_MEMORY_and_the_set_stays_Configurable()
    {
        await Task.Yield();
        using var loop = new Loopback().Configurable(maxTransferSize: 4 * 1024 * 1024);
        Assert.Equal(NOERROR, loop.Server.RequestBuffers(4 * 1024 * 1024, 0, 20000));
        Assert.Equal(VD_E_MEMORY, loop.Server.EndConfiguration());

        // Still Configurable, with nothing declared: the client still waits, and a smaller request succeeds.
        Assert.Equal(VD_E_TIMEOUT, loop.Client.GetConfiguration(0, out _));
        Assert.Equal(VD_E_PROTOCOL, loop.Server.OpenDevice(loop.Name, out _));
        Assert.Equal(VD_E_PROTOCOL, loop.Server.BeginConfiguration(VdFeatures.VDF_WriteMedia, 512, 0, 65536, 0));
        Assert.Equal(NOERROR, loop.Server.RequestBuffers(4 * 1024 * 1024, 0, 2));
        Assert.Equal(NOERROR, loop.Server.EndConfiguration());
        Assert.Equal(NOERROR, loop.Client.GetConfiguration(0, out var config));
        Assert.Equal(4u * 1024 * 1024, config.MaxTransferSize);
        Assert.Equal(2u, Available(loop, 4 * 1024 * 1024, 0));
    }

    // ---- AllocateBuffer, prefix zone, FreeBuffer, IsSharedBuffer ----

    [Theory(Timeout = 20000)]
    [InlineData(512u)]
    [InlineData(1024u)]
    [InlineData(2048u)]
    [InlineData(4096u)]
    [InlineData(8192u)]
    [InlineData(16384u)]
    [InlineData(32768u)]
    [InlineData(65536u)]
    public async Task AllocateBuffer_honours_the_alignment_asked(uint alignment)
    {
        await Task.Yield();
        using var loop = new Loopback(prefixZoneSize: 100).Configurable();
        Loopback.Expect(loop.Server.RequestBuffers(1000, 0, 3));
        Loopback.Expect(loop.Server.RequestBuffers(4000, alignment, 3));
        Loopback.Expect(loop.Server.EndConfiguration());
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(NOERROR, loop.Server.AllocateBuffer(out nint buffer, 4000, alignment));
            Assert.True(buffer % alignment == 0, $"Buffer {i} at 0x{buffer:X} is not aligned to {alignment}.");
            Assert.True(loop.Server.IsSharedBuffer(buffer));
        }

        Assert.Equal(VD_E_MEMORY, loop.Server.AllocateBuffer(out _, 4000, alignment));
    }

    [Theory(Timeout = 20000)]
    [InlineData(0u, 4096u, 4096u)]
    [InlineData(8192u, 0u, 8192u)]
    [InlineData(1024u, 16384u, 16384u)]
    public async Task Buffers_are_aligned_to_the_larger_of_the_client_and_the_base_alignment(uint clientAlignment, uint baseAlignment, uint expected)
    {
        await Task.Yield();
        using var loop = new Loopback(alignment: clientAlignment, prefixZoneSize: 24).Connected();
        Loopback.Expect(loop.Server.BeginConfiguration(VdFeatures.VDF_WriteMedia, 512, baseAlignment, 65536, 0));
        Loopback.Expect(loop.Server.RequestBuffers(1000, 0, 4));
        Loopback.Expect(loop.Server.EndConfiguration());
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(NOERROR, loop.Server.AllocateBuffer(out nint buffer, 1000, 0));
            Assert.True(buffer % expected == 0, $"Buffer {i} at 0x{buffer:X} is not aligned to {expected}.");
        }
    }

    [Fact(Timeout = 20000)]
    public async Task AllocateBuffer_refuses_a_zero_size_a_bad_alignment_and_runs_out_with_VD_E_MEMORY()
    {
        await Task.Yield();
        using var loop = new Loopback().Initialized(buffers: 2);
        Assert.Equal(VD_E_INVALID, loop.Server.AllocateBuffer(out _, 0, 0));
        Assert.Equal(VD_E_INVALID, loop.Server.AllocateBuffer(out _, 4096, 3));
        Assert.Equal(VD_E_INVALID, loop.Server.AllocateBuffer(out _, 4096, 131072));
        Assert.Equal(VD_E_MEMORY, loop.Server.AllocateBuffer(out _, 65537, 0));
        Assert.Equal(NOERROR, loop.Server.AllocateBuffer(out nint a, 65536, 0));
        Assert.Equal(NOERROR, loop.Server.AllocateBuffer(out nint b, 1, 0));
        Assert.NotEqual(a, b);
        Assert.Equal(VD_E_MEMORY, loop.Server.AllocateBuffer(out nint none, 1, 0));
        Assert.Equal(0, none);
    }

    [Theory(Timeout = 20000)]
    [InlineData(1u)]
    [InlineData(100u)]
    [InlineData(4096u)]
    public async Task The_clients_prefix_zone_lies_just_before_the_data_and_does_not_overlap_it(uint prefixZoneSize)
    {
        await Task.Yield();
        const int Count = 4;
        const int Size = 65536;
        using var loop = new Loopback(prefixZoneSize: prefixZoneSize).Active(buffers: Count);
        var log = new CompletionLog();
        var buffers = new nint[Count];
        for (int i = 0; i < Count; i++)
        {
            buffers[i] = loop.Allocate(Size);
            loop.Server.GetBufferSpan(buffers[i], Size).Fill((byte)(i + 1));
            Assert.Equal(NOERROR, loop.ServerDevices[0]!.SendCommand(log.Command(VdCommandCode.VDC_Write, Size, buffers[i])));
        }

        var commands = new VdcCommand[Count];
        for (int i = 0; i < Count; i++)
        {
            Assert.Equal(NOERROR, loop.ClientDevices[0]!.GetCommand(Waits.Prompt, out var command));
            commands[i] = command!;
            var prefix = command!.PrefixZone;
            var data = command.Data;
            Assert.Equal((int)prefixZoneSize, prefix.Length);
            Assert.Equal(Size, data.Length);

            // The zone ends exactly where the data starts.
            long gap = (long)Unsafe.ByteOffset(ref MemoryMarshal.GetReference(prefix), ref MemoryMarshal.GetReference(data));
            Assert.Equal(prefixZoneSize, (ulong)gap);
            prefix.Fill(0xEE);
        }

        // The server's view: the client's bytes are in shared memory just before each data zone, and no data byte changed.
        for (int i = 0; i < Count; i++)
        {
            var zone = new byte[prefixZoneSize];
            Marshal.Copy(buffers[i] - (nint)prefixZoneSize, zone, 0, zone.Length);
            Assert.True(zone.All(b => b == 0xEE), $"The prefix zone of buffer {i} as the server maps it does not hold what the client wrote.");
            Assert.True(loop.Server.GetBufferSpan(buffers[i], Size).IndexOfAnyExcept((byte)(i + 1)) < 0, $"Writing the prefix zones changed the data of buffer {i}.");
            Assert.False(loop.Server.IsSharedBuffer(buffers[i] - 1), $"The last byte of the prefix zone of buffer {i} counts as a data buffer.");
            Assert.True(commands[i].Data.IndexOfAnyExcept((byte)(i + 1)) < 0, $"The client sees changed data in buffer {i}.");
            Assert.Equal(NOERROR, loop.ClientDevices[0]!.CompleteCommand(commands[i], Win32Error.ERROR_SUCCESS, Size, 0));
        }

        log.WaitFor(Count);
    }

    [Fact(Timeout = 20000)]
    public async Task FreeBuffer_takes_only_an_allocated_buffer_that_the_client_does_not_hold_with_its_size()
    {
        await Task.Yield();
        using var loop = new Loopback().Active(buffers: 3);
        var log = new CompletionLog();
        nint a = loop.Allocate();
        nint b = loop.Allocate();

        Assert.Equal(VD_E_INVALID, loop.Server.FreeBuffer(a, 4096));
        Assert.Equal(VD_E_INVALID, loop.Server.FreeBuffer(a + 512, 65536));
        Assert.Equal(VD_E_INVALID, loop.Server.FreeBuffer(0, 65536));
        nint outside = Marshal.AllocHGlobal(16);
        Assert.Equal(VD_E_INVALID, loop.Server.FreeBuffer(outside, 16));
        Marshal.FreeHGlobal(outside);

        // With the client: not free-able until completed.
        var write = log.Command(VdCommandCode.VDC_Write, 65536, b);
        Assert.Equal(NOERROR, loop.ServerDevices[0]!.SendCommand(write));
        Assert.Equal(VD_E_INVALID, loop.Server.FreeBuffer(b, 65536));
        Assert.Equal(NOERROR, loop.ClientDevices[0]!.GetCommand(Waits.Prompt, out var command));
        Assert.Equal(VD_E_INVALID, loop.Server.FreeBuffer(b, 65536));
        Assert.Equal(NOERROR, loop.ClientDevices[0]!.CompleteCommand(command!, Win32Error.ERROR_SUCCESS, 65536, 0));
        log.WaitFor(write);
        Assert.Equal(NOERROR, loop.Server.FreeBuffer(b, 65536));

        Assert.Equal(NOERROR, loop.Server.FreeBuffer(a, 65536));
        Assert.Equal(VD_E_INVALID, loop.Server.FreeBuffer(a, 65536));
        Assert.Equal(3u, Available(loop, 65536, 0));

        // A freed buffer cannot be sent.
        var stale = log.Command(VdCommandCode.VDC_Write, 65536, a);
        Assert.Equal(VD_E_INVALID, loop.ServerDevices[0]!.SendCommand(stale));
        Assert.Empty(log.Of(stale));
    }

    [Fact(Timeout = 20000)]
    public async Task IsSharedBuffer_is_true_inside_data_zones_of_the_set_only()
    {
        await Task.Yield();
        nint outside = Marshal.AllocHGlobal(4096);
        try
        {
            using var loop = new Loopback(prefixZoneSize: 64).Active(buffers: 2);
            nint a = loop.Allocate(4096);
            Assert.True(loop.Server.IsSharedBuffer(a));
            Assert.True(loop.Server.IsSharedBuffer(a + 1));
            Assert.True(loop.Server.IsSharedBuffer(a + 4095));
            Assert.False(loop.Server.IsSharedBuffer(a - 1));
            Assert.False(loop.Server.IsSharedBuffer(a - 64));
            Assert.False(loop.Server.IsSharedBuffer(0));
            Assert.False(loop.Server.IsSharedBuffer(outside));
            Assert.False(loop.Server.IsSharedBuffer(-1));

            // The client's mapping of the same buffer is another address, not one of the server's.
            var log = new CompletionLog();
            Assert.Equal(NOERROR, loop.ServerDevices[0]!.SendCommand(log.Command(VdCommandCode.VDC_Write, 4096, a)));
            Assert.Equal(NOERROR, loop.ClientDevices[0]!.GetCommand(Waits.Prompt, out var command));
            Assert.NotEqual(a, command!.Buffer);
            Assert.False(loop.Server.IsSharedBuffer(command.Buffer));

            Assert.Equal(VD_E_OPEN, loop.Client.Close());
            loop.Server.Close();
            Assert.False(loop.Server.IsSharedBuffer(a));
        }
        finally
        {
            Marshal.FreeHGlobal(outside);
        }
    }

    // ---- Completion agent and Close ----

    [Fact(Timeout = 20000)]
    public async Task The_agent_returns_NOERROR_after_the_last_CloseDevice_once_outstanding_commands_completed()
    {
        await Task.Yield();
        using var loop = new Loopback().Active();
        var log = new CompletionLog();
        var flush = log.Command(VdCommandCode.VDC_Flush);
        Assert.Equal(NOERROR, loop.ServerDevices[0]!.SendCommand(flush));
        Assert.Equal(NOERROR, loop.ClientDevices[0]!.GetCommand(Waits.Prompt, out var command));
        Assert.Equal(NOERROR, loop.ServerDevices[0]!.CloseDevice());

        // The agent still owes this routine: completing now runs it with the client's code, then the agent returns.
        Assert.Equal(NOERROR, loop.ClientDevices[0]!.CompleteCommand(command!, Win32Error.ERROR_SUCCESS, 0, 42));
        var run = log.WaitFor(flush);
        Assert.Equal(Win32Error.ERROR_SUCCESS, run.Code);
        Assert.Equal(42ul, run.Position);
        Assert.Equal(NOERROR, loop.AgentResult());
        Assert.Equal(1, log.Count);
    }

    [Fact(Timeout = 20000)]
    public async Task The_agent_returns_VD_E_ABORT_on_abort()
    {
        await Task.Yield();
        using var loop = new Loopback().Active();
        Loopback.Expect(loop.Server.SignalAbort());
        Assert.Equal(VD_E_ABORT, loop.AgentResult());
        Assert.Equal(VD_E_ABORT, await Waits.OnOwnThread(loop.Server.ExecuteCompletionAgent).Within("ExecuteCompletionAgent after the abort"));
    }

    [Fact(Timeout = 20000)]
    public async Task Server_Close_with_open_devices_is_VD_E_PROTOCOL_aborts_and_completes_outstanding_commands()
    {
        await Task.Yield();
        using var loop = new Loopback(deviceCount: 2).Active();
        var log = new CompletionLog();
        var delivered = log.Command(VdCommandCode.VDC_Flush);
        var queued = log.Command(VdCommandCode.VDC_Flush);
        Assert.Equal(NOERROR, loop.ServerDevices[0]!.SendCommand(delivered));
        Assert.Equal(NOERROR, loop.ServerDevices[1]!.SendCommand(queued));
        Assert.Equal(NOERROR, loop.ClientDevices[0]!.GetCommand(Waits.Prompt, out var command));
        Assert.Equal(NOERROR, loop.ServerDevices[1]!.CloseDevice());

        Assert.Equal(VD_E_PROTOCOL, loop.Server.Close());
        Assert.Null(loop.Server.Name);
        Assert.Equal(VD_E_PROTOCOL, loop.Server.GetConfiguration(out _));

        // Every routine ran exactly once with 995, before Close returned.
        Assert.Equal(2, log.Count);
        Assert.Equal(Win32Error.ERROR_OPERATION_ABORTED, Assert.Single(log.Of(delivered)).Code);
        Assert.Equal(Win32Error.ERROR_OPERATION_ABORTED, Assert.Single(log.Of(queued)).Code);
        loop.AgentResult();

        // The client sees the abort.
        Assert.True(loop.Client.IsAborted);
        Assert.Equal(VD_E_ABORT, loop.ClientDevices[0]!.GetCommand(0, out _));
        Assert.Equal(VD_E_ABORT, loop.ClientDevices[1]!.GetCommand(0, out _));
        Assert.Equal(VD_E_ABORT, loop.ClientDevices[0]!.CompleteCommand(command!, Win32Error.ERROR_SUCCESS, 0, 0));
        Assert.Equal(VD_E_ABORT, loop.Client.GetConfiguration(0, out _));
        Assert.Equal(2, log.Count);
        Assert.Equal(NOERROR, loop.Client.Close());
    }

    private static uint Available(Loopback loop, uint size, uint alignment)
    {
        Assert.Equal(NOERROR, loop.Server.QueryAvailableBuffers(size, alignment, out uint count));
        return count;
    }

    /// <summary>
    /// A server set driven to one state of §5.3, with what each call needs there: a device for SendCommand and
    /// CloseDevice, a buffer for FreeBuffer, a name for OpenDevice. Before Active no device of the current set can
    /// exist, so DNE, Connected, Configurable and Initializing use the device and buffer the same object had in its
    /// previous set (closed since): the only ones a server can hold then.
    /// </summary>
    private sealed class ServerScene : IDisposable
    {
        private Task<VdiResult>? _lateAgent;

        private ServerScene(Loopback loop) => Loop = loop;

        public Loopback Loop { get; }

        public ServerVirtualDeviceSet Server => Loop.Server;

        public CompletionLog Log { get; } = new();

        public IServerVirtualDevice? Device { get; private set; }

        public nint Buffer { get; private set; }

        public string OpenName { get; private set; } = string.Empty;

        public int SenderThread { get; private set; }

        public static ServerScene Enter(ServerState state)
        {
            var scene = new ServerScene(new Loopback(deviceCount: 2));
            try
            {
                scene.Drive(state);
                return scene;
            }
            catch
            {
                scene.Dispose();
                throw;
            }
        }

        private void Drive(ServerState state)
        {
            var loop = Loop;
            OpenName = loop.DeviceNames[1];
            switch (state)
            {
                case ServerState.DNE:
                    EndAFirstSet();
                    loop.Created();
                    break;

                case ServerState.Connected:
                    EndAFirstSet();
                    loop.Connected();
                    break;

                case ServerState.Configurable:
                    EndAFirstSet();
                    loop.Configurable();
                    break;

                case ServerState.Initializing:
                    EndAFirstSet();
                    loop.Initialized();
                    Buffer = loop.Allocate();
                    OpenName = loop.DeviceNames[0];
                    break;

                case ServerState.Active:
                case ServerState.Abort:
                    loop.Initialized();
                    Loopback.Expect(loop.Server.OpenDevice(loop.DeviceNames[0], out loop.ServerDevices[0]));
                    Loopback.Expect(loop.Client.OpenDevice(loop.DeviceNames[0], out loop.ClientDevices[0]));
                    Device = loop.ServerDevices[0];
                    Buffer = loop.Allocate();
                    if (state == ServerState.Abort)
                    {
                        loop.StartAgent();
                        Loopback.Expect(loop.Server.SignalAbort());
                        Assert.Equal(VD_E_ABORT, loop.AgentResult());
                    }

                    break;

                case ServerState.NormallyTerminated:
                    loop.Active();
                    Device = loop.ServerDevices[0];
                    Buffer = loop.Allocate();
                    Loopback.Expect(loop.ServerDevices[0]!.CloseDevice());
                    Loopback.Expect(loop.ServerDevices[1]!.CloseDevice());
                    Assert.Equal(NOERROR, loop.AgentResult());
                    Assert.Equal(VD_E_CLOSE, loop.ClientDevices[0]!.GetCommand(Waits.Prompt, out _));
                    Assert.Equal(VD_E_CLOSE, loop.ClientDevices[1]!.GetCommand(Waits.Prompt, out _));
                    break;
            }
        }

        /// <summary>Runs a first set of this object to Active, keeps a device and a buffer, and closes both sides.</summary>
        private void EndAFirstSet()
        {
            var loop = Loop;
            loop.Active();
            Device = loop.ServerDevices[0];
            Buffer = loop.Allocate();
            Assert.Equal(VD_E_OPEN, loop.Client.Close());
            Assert.Equal(VD_E_ABORT, loop.AgentResult());
            Assert.Equal(NOERROR, loop.Server.Close());
            Array.Clear(loop.ServerDevices);
            Array.Clear(loop.ClientDevices);
        }

        public async Task<VdiResult> InvokeAsync(ServerCall call, ServerState state)
        {
            var server = Server;
            switch (call)
            {
                case ServerCall.Open:
                    return server.Open(null, Loop.Name);

                case ServerCall.GetConfiguration:
                    return server.GetConfiguration(out _);

                case ServerCall.BeginConfiguration:
                    return server.BeginConfiguration(VdFeatures.VDF_WriteMedia, 512, 0, 65536, 0);

                case ServerCall.RequestBuffers:
                    return server.RequestBuffers(65536, 0, 2);

                case ServerCall.QueryAvailableBuffers:
                    return server.QueryAvailableBuffers(65536, 0, out _);

                case ServerCall.EndConfiguration:
                    return server.EndConfiguration();

                case ServerCall.OpenDevice:
                    var opened = server.OpenDevice(OpenName, out var device);
                    Assert.True((opened == NOERROR) == (device is not null), $"OpenDevice returned {opened} with device {device}.");
                    return opened;

                case ServerCall.ExecuteCompletionAgent when state is ServerState.Initializing or ServerState.Active:
                    // The agent runs until the set terminates: start it, check it made the set Active, then end the set.
                    _lateAgent = Waits.OnOwnThread(server.ExecuteCompletionAgent);
                    Waits.Until(() => Loop.Control().SetState == (int)SharedSetState.Active || _lateAgent.IsCompleted, "the completion agent made the set Active");
                    Assert.False(_lateAgent.IsCompleted, $"ExecuteCompletionAgent in {state} returned at once with {(_lateAgent.IsCompleted ? _lateAgent.Result : default)}.");
                    for (int i = 0; i < Loop.DeviceNames.Length; i++)
                    {
                        if (Loop.ServerDevices[i] is null)
                        {
                            Loopback.Expect(server.OpenDevice(Loop.DeviceNames[i], out Loop.ServerDevices[i]));
                        }

                        Loopback.Expect(Loop.ServerDevices[i]!.CloseDevice());
                    }

                    return await _lateAgent.Within("the completion agent after every device closed");

                case ServerCall.ExecuteCompletionAgent:
                    return await Waits.OnOwnThread(server.ExecuteCompletionAgent).Within($"ExecuteCompletionAgent in {state}");

                case ServerCall.AllocateBuffer:
                    var allocated = server.AllocateBuffer(out nint buffer, 65536, 0);
                    Assert.True((allocated == NOERROR) == (buffer != 0), $"AllocateBuffer returned {allocated} with 0x{buffer:X}.");
                    if (allocated == NOERROR)
                    {
                        Assert.True(server.IsSharedBuffer(buffer));
                    }

                    return allocated;

                case ServerCall.FreeBuffer:
                    return server.FreeBuffer(Buffer, 65536);

                case ServerCall.SendCommand:
                    var flush = Log.Command(VdCommandCode.VDC_Flush);
                    SenderThread = Environment.CurrentManagedThreadId;
                    var sent = Device!.SendCommand(flush);
                    if (sent != NOERROR)
                    {
                        // A refused send runs the routine at once, on this thread, with the code that goes with the result.
                        var run = Assert.Single(Log.Of(flush));
                        Assert.Equal(SenderThread, run.ThreadId);
                        uint expectedCode = sent switch
                        {
                            VD_E_PROTOCOL => Win32Error.ERROR_INVALID_HANDLE,
                            VD_E_ABORT => Win32Error.ERROR_OPERATION_ABORTED,
                            _ => uint.MaxValue,
                        };
                        Assert.True(expectedCode == run.Code, $"SendCommand returned {sent} and its routine ran with {run.Code}.");
                    }

                    return sent;

                case ServerCall.CloseDevice:
                    return Device!.CloseDevice();

                case ServerCall.SignalAbort:
                    return server.SignalAbort();

                case ServerCall.Close:
                    return server.Close();

                default:
                    throw new ArgumentOutOfRangeException(nameof(call));
            }
        }

        /// <summary>Checks the state a call moved to (§5.3's arrows), and that a refused call changed nothing it should not.</summary>
        public void AssertStateAfter(ServerCall call, ServerState state, VdiResult result)
        {
            var server = Server;
            var loop = Loop;
            if (call is ServerCall.Close && state != ServerState.DNE)
            {
                // → DNE, whatever the result.
                Assert.Null(server.Name);
                Assert.Equal(VD_E_PROTOCOL, server.GetConfiguration(out _));
                return;
            }

            if (state is ServerState.Connected or ServerState.Configurable or ServerState.Initializing
                && call is ServerCall.SendCommand or ServerCall.CloseDevice)
            {
                // The device of a previous set must not disturb the current one.
                Assert.False(server.IsAborted, $"{call} on a device of the object's previous set aborted the current set.");
            }

            if (result != NOERROR)
            {
                return;
            }

            switch (call)
            {
                case ServerCall.Open:
                    // → Connected: the client's request is readable, and configuration starts here.
                    Assert.Equal(NOERROR, server.GetConfiguration(out var requested));
                    Assert.Equal(2u, requested.DeviceCount);
                    Assert.Equal(VD_E_PROTOCOL, server.EndConfiguration());
                    Assert.Equal(NOERROR, server.BeginConfiguration(VdFeatures.VDF_WriteMedia, 512, 0, 65536, 0));
                    break;

                case ServerCall.BeginConfiguration:
                    // → Configurable.
                    Assert.Equal(VD_E_TIMEOUT, loop.Client.GetConfiguration(0, out _));
                    Assert.Equal(NOERROR, server.EndConfiguration());
                    Assert.Equal(NOERROR, loop.Client.GetConfiguration(0, out _));
                    break;

                case ServerCall.RequestBuffers when state == ServerState.Configurable:
                    Assert.Equal(NOERROR, server.EndConfiguration());
                    Assert.Equal(2u, Available(loop, 65536, 0));
                    break;

                case ServerCall.RequestBuffers:
                    // After configuration the buffers exist at once (8 from the scene, one allocated).
                    Assert.Equal(9u, Available(loop, 65536, 0));
                    break;

                case ServerCall.EndConfiguration:
                    // → Initializing: the client's GetConfiguration returns, devices open.
                    Assert.Equal(NOERROR, loop.Client.GetConfiguration(0, out _));
                    Assert.Equal(NOERROR, server.OpenDevice(loop.DeviceNames[0], out _));
                    Assert.Equal(NOERROR, loop.Client.OpenDevice(loop.DeviceNames[0], out _));
                    break;

                case ServerCall.OpenDevice when state == ServerState.Initializing:
                    // → Active.
                    Assert.Equal((int)SharedSetState.Active, loop.Control().SetState);
                    break;

                case ServerCall.SendCommand:
                    Assert.Equal(NOERROR, loop.ClientDevices[0]!.GetCommand(Waits.Prompt, out var command));
                    Assert.Equal(VdCommandCode.VDC_Flush, command!.CommandCode);
                    break;

                case ServerCall.CloseDevice when state == ServerState.Active:
                    Assert.Equal(VD_E_CLOSE, loop.ClientDevices[0]!.GetCommand(Waits.Prompt, out _));
                    Assert.Equal(VD_E_CLOSE, Device!.CloseDevice());
                    break;

                case ServerCall.SignalAbort:
                    // → Abort, on both sides.
                    Assert.True(server.IsAborted);
                    Assert.Equal(VD_E_ABORT, server.GetConfiguration(out _));
                    Assert.Equal(VD_E_ABORT, loop.Client.GetConfiguration(0, out _));
                    break;
            }
        }

        public void Dispose()
        {
            Loop.Dispose();
            _lateAgent?.Wait(Waits.Prompt);
        }
    }
}
