# C types for der.py when Cython compiles it (setup.py); der.py itself stays plain Python.
import cython

@cython.locals(size=Py_ssize_t, length=Py_ssize_t, end=Py_ssize_t, start=Py_ssize_t)
cpdef tuple header(bytes der, Py_ssize_t pos)

@cython.locals(stop=Py_ssize_t, out=list)
cpdef list children(bytes der, Py_ssize_t pos, Py_ssize_t end)

@cython.locals(size=Py_ssize_t, pos=Py_ssize_t, length=Py_ssize_t, out=list)
cpdef list sct_list_fields(bytes data, object bound)
