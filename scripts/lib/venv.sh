# Sourced by scripts/test, scripts/demo and scripts/docs.
#
# make_venv DIR: make DIR a virtualenv (unless it already is one) with the
# interpreter $PYTHON, then set VENV_PY to its python and the array `pip` to
# a pip command that installs into it.

make_venv() {
    local dir="$1"
    VENV_PY="$dir/bin/python"
    if [ ! -x "$VENV_PY" ]; then
        # A half-created virtualenv (for example from an interrupted run) is replaced.
        rm -rf "$dir"
        if ! "$PYTHON" -m venv "$dir" 2>/dev/null; then
            # Some distributions ship Python without ensurepip: make the virtualenv
            # without pip and install into it with the interpreter's own pip.
            rm -rf "$dir"
            "$PYTHON" -m venv --without-pip "$dir"
        fi
    fi
    if "$VENV_PY" -m pip --version >/dev/null 2>&1; then
        pip=("$VENV_PY" -m pip)
    else
        pip=("$PYTHON" -m pip --python "$VENV_PY")
    fi
}
