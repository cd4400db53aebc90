"""vantage6-task-policy: a vantage6 server refuses tasks that break the ini's task policy."""

from setuptools import find_packages, setup

setup(
    name="vantage6-task-policy",
    version="1.0.0",
    description="vantage6 server plugin: image allowlists, digest pinning and size limits",
    license="Apache-2.0",
    python_requires=">=3.11",
    package_dir={"": "src"},
    packages=find_packages("src"),
    install_requires=["vantage6"],
    entry_points={"vantage6.server": ["task_policy = vantage6_task_policy.plugin"]},
)
