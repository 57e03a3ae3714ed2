"""Installation script for spinup.

``pip install -e '.[all,test]'`` gives you everything: the logger, the MPI
helpers, both deep-learning backends, the plotter, Ray and the test tools.
"""
import os

from setuptools import find_packages, setup

here = os.path.abspath(os.path.dirname(__file__))
version = {}
with open(os.path.join(here, "spinup", "version.py")) as f:
    exec(f.read(), version)

extras = {
    # tensorflow-cpu keeps the install small (no CUDA wheels); the TF code
    # uses the TF1 graph API through tf.compat.v1.
    "tf": ["tensorflow-cpu==2.21.*"],
    # Any other torch version pulls gigabytes of CUDA wheels.
    "torch": ["torch==2.13.0"],
    # The mpich wheel ships the `mpiexec` launcher into the venv's bin/.
    "mpi": ["mpi4py>=4", "mpich"],
    "plot": ["matplotlib>=3.7", "seaborn>=0.13", "pandas>=2"],
    "ray": ["ray>=2.9"],
    # tensorboardX writes the event files; tensorboard is the viewer
    # (`tensorboard --logdir data/`).
    "tensorboard": ["tensorboardX>=2.6", "tensorboard>=2.14"],
    # mlflow-skinny is the tracking client without the server's web stack;
    # SQLAlchemy and Alembic let it keep runs in a local SQLite store.
    "mlflow": ["mlflow-skinny>=2.10", "sqlalchemy>=1.4", "alembic>=1.10.1"],
    "wandb": ["wandb>=0.20"],
    "docs": ["sphinx>=7"],
    "test": ["pytest>=7", "pytest-timeout", "ruff>=0.6"],
}
extras["all"] = sorted(
    {req for name in ("tf", "torch", "mpi", "plot", "ray", "tensorboard", "mlflow", "wandb",
                      "docs")
     for req in extras[name]}
)

setup(
    name="spinup",
    version=version["__version__"],
    description="Spinning Up's experiment utilities on the current Python stack.",
    long_description=open(os.path.join(here, "README.md")).read(),
    long_description_content_type="text/markdown",
    packages=find_packages(include=["spinup", "spinup.*"]),
    python_requires=">=3.10",
    install_requires=[
        "numpy>=1.24",
        "cloudpickle>=2",
        "joblib>=1.2",
        "psutil>=5",
        "tqdm>=4",
        "gymnasium>=1.0",
    ],
    extras_require=extras,
    entry_points={"console_scripts": ["spinup=spinup.run:main"]},
)
