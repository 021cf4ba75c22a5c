// Every export takes and returns blittable types only: no marshalling stub between the C++ caller and the code.
[assembly: System.Runtime.CompilerServices.DisableRuntimeMarshalling]
