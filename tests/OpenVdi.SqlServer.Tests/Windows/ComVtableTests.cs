using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;
using OpenVdi.SqlServer.Binding;
using OpenVdi.SqlServer.TestPeer;
using OpenVdi.SqlServer.Tests.Infrastructure;
using OpenVdi.SqlServer.Windows;
using OpenVdi.SqlVdi.Abi;
using OpenVdi.Testing;
using static OpenVdi.VdiResult;

namespace OpenVdi.SqlServer.Tests.Windows;

/// <summary>
/// The COM binding's interfaces are sqlvdi.dll's (spec §2.1, §3.1): the documented IIDs, each method in its documented
/// vtable slot with its documented signature, called here through raw function pointers read from the vtable of a COM
/// object (the stand-in, over OpenVdi's client) exactly as a C++ client calls sqlvdi.dll. Activation by CLSID needs
/// Windows and is not tested here.
/// </summary>
[Collection(BindingCollection.Name)]
public sealed unsafe class ComVtableTests
{
    private static readonly Guid s_set = new("40700425-0080-11d2-851f-00c04fc21759");
    private static readonly Guid s_set2 = new("d0e6eb07-7a62-11d2-8573-00c04fc21759");
    private static readonly Guid s_device = new("40700424-0080-11d2-851f-00c04fc21759");

    [Fact]
    public void The_interfaces_carry_the_documented_IIDs_and_activation_the_documented_CLSID()
    {
        Assert.Equal(s_set, typeof(ISqlVdiClientVirtualDeviceSet).GUID);
        Assert.Equal(s_set2, typeof(ISqlVdiClientVirtualDeviceSet2).GUID);
        Assert.Equal(s_device, typeof(ISqlVdiClientVirtualDevice).GUID);

        // CLSID_MSSQL_ClientVirtualDeviceSet is defined as IID_IClientVirtualDeviceSet's value.
        Assert.Equal(s_set, SqlVdiGuids.ClientVirtualDeviceSetClass);
        Assert.Equal(s_set, new VdiLibraryOptions().ComClassId);
    }

    [Fact]
    public void Each_slot_of_IClientVirtualDeviceSet2_is_the_documented_method()
    {
        var standIn = new ComStandInSet();
        nint set2 = QueryInterface(ComStandIn.CreateUnknown(standIn), s_set2);
        string name = SetNames.Unique();
        string other = SetNames.Unique();
        try
        {
            var config = new VdConfig { DeviceCount = 1 };
            VdConfig answer;
            uint handle;
            byte* address;
            nint device;
            fixed (char* setName = name)
            fixed (char* otherName = other)
            {
                // Slot 11, CreateEx(NULL, name, &config): the set exists.
                Assert.Equal(NOERROR, Ran(standIn, standIn.Calls.Count, 11, "CreateEx", ((delegate* unmanaged[MemberFunction]<nint, char*, char*, VdConfig*, int>)Slot(set2, 11))(set2, null, setName, &config)));
                Assert.NotEmpty(SetNames.SegmentsOf(name));
                Assert.Equal(VD_E_TIMEOUT, Ran(standIn, standIn.Calls.Count, 4, "GetConfiguration", ((delegate* unmanaged[MemberFunction]<nint, uint, VdConfig*, int>)Slot(set2, 4))(set2, 0, &answer)));
                Assert.Equal(VD_E_PROTOCOL, Ran(standIn, standIn.Calls.Count, 5, "OpenDevice", ((delegate* unmanaged[MemberFunction]<nint, char*, nint*, int>)Slot(set2, 5))(set2, setName, &device)));
                Assert.Equal(VD_E_PROTOCOL, Ran(standIn, standIn.Calls.Count, 9, "GetBufferHandle", ((delegate* unmanaged[MemberFunction]<nint, byte*, uint*, int>)Slot(set2, 9))(set2, null, &handle)));
                Assert.Equal(VD_E_PROTOCOL, Ran(standIn, standIn.Calls.Count, 10, "MapBufferHandle", ((delegate* unmanaged[MemberFunction]<nint, uint, byte**, int>)Slot(set2, 10))(set2, 1, &address)));
                Assert.Equal(NOERROR, Ran(standIn, standIn.Calls.Count, 7, "SignalAbort", ((delegate* unmanaged[MemberFunction]<nint, int>)Slot(set2, 7))(set2)));
                Assert.Equal(NOERROR, Ran(standIn, standIn.Calls.Count, 6, "Close", ((delegate* unmanaged[MemberFunction]<nint, int>)Slot(set2, 6))(set2)));

                // Slot 3, Create(name, &config), the version 1 method; then the secondary attaches of slots 8 and 12.
                Assert.Equal(NOERROR, Ran(standIn, standIn.Calls.Count, 3, "Create", ((delegate* unmanaged[MemberFunction]<nint, char*, VdConfig*, int>)Slot(set2, 3))(set2, otherName, &config)));
                Assert.Equal(VD_E_PROTOCOL, Ran(standIn, standIn.Calls.Count, 8, "OpenInSecondary", ((delegate* unmanaged[MemberFunction]<nint, char*, int>)Slot(set2, 8))(set2, otherName)));
                Assert.Equal(VD_E_PROTOCOL, Ran(standIn, standIn.Calls.Count, 12, "OpenInSecondaryEx", ((delegate* unmanaged[MemberFunction]<nint, char*, char*, int>)Slot(set2, 12))(set2, null, otherName)));
                Assert.Equal(NOERROR, Ran(standIn, standIn.Calls.Count, 6, "Close", ((delegate* unmanaged[MemberFunction]<nint, int>)Slot(set2, 6))(set2)));
            }
        }
        finally
        {
            Marshal.Release(set2);
        }

        Assert.Empty(SetNames.SegmentsOf(name));
        Assert.Empty(SetNames.SegmentsOf(other));
    }

    [Fact]
    public void IClientVirtualDeviceSet_version_1_has_the_same_first_slots()
    {
        var standIn = new ComStandInSet();
        nint set1 = QueryInterface(ComStandIn.CreateUnknown(standIn), s_set);
        string name = SetNames.Unique();
        try
        {
            var config = new VdConfig { DeviceCount = 1 };
            fixed (char* setName = name)
            {
                Assert.Equal(NOERROR, Ran(standIn, standIn.Calls.Count, 3, "Create", ((delegate* unmanaged[MemberFunction]<nint, char*, VdConfig*, int>)Slot(set1, 3))(set1, setName, &config)));
                Assert.Equal(NOERROR, Ran(standIn, standIn.Calls.Count, 6, "Close", ((delegate* unmanaged[MemberFunction]<nint, int>)Slot(set1, 6))(set1)));
            }
        }
        finally
        {
            Marshal.Release(set1);
        }
    }

    [Fact]
    public void Each_slot_of_IClientVirtualDevice_is_the_documented_method_and_the_command_is_the_documented_record()
    {
        var standIn = new ComStandInSet();
        nint set2 = QueryInterface(ComStandIn.CreateUnknown(standIn), s_set2);
        string name = SetNames.Unique();
        var log = new CompletionLog();
        using var server = new ServerVirtualDeviceSet();
        try
        {
            var config = new VdConfig { DeviceCount = 1 };
            var createEx = (delegate* unmanaged[MemberFunction]<nint, char*, char*, VdConfig*, int>)Slot(set2, 11);
            var getConfiguration = (delegate* unmanaged[MemberFunction]<nint, uint, VdConfig*, int>)Slot(set2, 4);
            var openDevice = (delegate* unmanaged[MemberFunction]<nint, char*, nint*, int>)Slot(set2, 5);
            nint device;
            VdsCommand write;
            IServerVirtualDevice? serverDevice;
            fixed (char* setName = name)
            {
                Assert.Equal(NOERROR, Result(createEx(set2, null, setName, &config)));
                Assert.Equal(NOERROR, server.Open(null, name));
                Assert.Equal(NOERROR, server.BeginConfiguration(VdFeatures.VDF_WriteMedia, 512, 0, 65536, 0));
                Assert.Equal(NOERROR, server.RequestBuffers(65536, 0, 2));
                Assert.Equal(NOERROR, server.EndConfiguration());
                VdConfig answer;
                Assert.Equal(NOERROR, Result(getConfiguration(set2, 0, &answer)));
                Assert.Equal(65536u, answer.MaxTransferSize);
                Assert.Equal(NOERROR, server.OpenDevice(name, out serverDevice));
                _ = Task.Factory.StartNew(server.ExecuteCompletionAgent, TaskCreationOptions.LongRunning);
                Assert.Equal(NOERROR, Result(openDevice(set2, setName, &device)));
                Assert.NotEqual(0, device);

                Assert.Equal(NOERROR, server.AllocateBuffer(out nint buffer, 65536, 0));
                write = log.Command(VdCommandCode.VDC_Write, 4096, buffer, position: 1234);
                Assert.Equal(NOERROR, serverDevice!.SendCommand(write));
            }

            // The device's own vtable: GetCommand in slot 3, CompleteCommand in slot 4.
            try
            {
                Marshal.Release(QueryInterface(device, s_device, release: false));
                var getCommand = (delegate* unmanaged[MemberFunction]<nint, uint, VdcCommandRecord**, int>)Slot(device, 3);
                var completeCommand = (delegate* unmanaged[MemberFunction]<nint, VdcCommandRecord*, uint, uint, ulong, int>)Slot(device, 4);
                VdcCommandRecord* command = null;
                Assert.Equal(NOERROR, Result(getCommand(device, 5000, &command)));

                // VDC_Command: code at 0, size at 4, position at 8, buffer at 16.
                byte* record = (byte*)command;
                Assert.Equal((int)VdCommandCode.VDC_Write, *(int*)record);
                Assert.Equal(4096, *(int*)(record + 4));
                Assert.Equal(1234L, *(long*)(record + 8));
                Assert.NotEqual(0, *(nint*)(record + 16));
                Assert.Equal(NOERROR, Result(completeCommand(device, command, Win32Error.ERROR_SUCCESS, 4096, 0)));
                var run = log.WaitFor(write);
                Assert.Equal((Win32Error.ERROR_SUCCESS, 4096u), (run.Code, run.Bytes));
                Assert.Equal(VD_E_TIMEOUT, Result(getCommand(device, 0, &command)));
                Assert.Equal(NOERROR, serverDevice!.CloseDevice());
                Assert.Equal(VD_E_CLOSE, Result(getCommand(device, 5000, &command)));
            }
            finally
            {
                Marshal.Release(device);
            }
        }
        finally
        {
            var close = (delegate* unmanaged[MemberFunction]<nint, int>)Slot(set2, 6);
            Assert.Equal(NOERROR, Result(close(set2)));
            Marshal.Release(set2);
        }

        Assert.Empty(SetNames.SegmentsOf(name));
    }

    [Fact]
    public void The_binding_calls_the_COM_object_through_its_vtable_and_passes_instance_names_as_they_are()
    {
        var standIn = new ComStandInSet();
        nint unknown = ComStandIn.CreateUnknown(standIn);
        try
        {
            // The wrapper is a COM object of its own, not the managed object behind the pointer: calls cross the vtable.
            object wrapper = ComSqlVdiSet.Wrap(unknown);
            Assert.IsAssignableFrom<ComObject>(wrapper);
            Assert.IsNotType<ComStandInSet>(wrapper);
            ComSqlVdiSet.Release(wrapper);

            using var binding = new NativeClientVirtualDeviceSet(ComSqlVdiSet.FromUnknown(unknown, "the stand-in"));
            foreach (string? instance in new[] { null, string.Empty, "SQLEXPRESS" })
            {
                string name = SetNames.Unique();
                Assert.Equal(NOERROR, binding.CreateEx(instance, name, new VdConfig { DeviceCount = 1 }));
                Assert.Equal(instance, standIn.LastInstanceName);
                Assert.Equal(NOERROR, binding.Close());
            }

            Assert.Equal(["CreateEx", "Close", "CreateEx", "Close", "CreateEx", "Close"], standIn.Calls);
        }
        finally
        {
            Marshal.Release(unknown);
        }
    }

    /// <summary>Checks that the call just made through slot <paramref name="slot"/> ran <paramref name="method"/>, and only it.</summary>
    /// <param name="before">How many calls the object had received before (the argument is evaluated before the call's).</param>
    private static VdiResult Ran(ComStandInSet standIn, int before, int slot, string method, int hresult)
    {
        Assert.True(standIn.Calls.Count == before + 1 && standIn.Calls[^1] == method, $"Slot {slot} ran {string.Join(", ", standIn.Calls.Skip(before))}, not {method}.");
        return Result(hresult);
    }

    private static nint Slot(nint instance, int slot) => (*(nint**)instance)[slot];

    private static VdiResult Result(int hresult) => (VdiResult)unchecked((uint)hresult);

    /// <summary>The interface <paramref name="iid"/> of <paramref name="unknown"/>; the IUnknown reference is released unless told.</summary>
    private static nint QueryInterface(nint unknown, Guid iid, bool release = true)
    {
        try
        {
            Marshal.ThrowExceptionForHR(Marshal.QueryInterface(unknown, in iid, out nint typed));
            return typed;
        }
        finally
        {
            if (release)
            {
                Marshal.Release(unknown);
            }
        }
    }
}
