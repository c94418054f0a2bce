"""Valid sample and label attributes for every task type, built with the official SDK's own typed models
(``segments.typing``) so they are exactly what SDK users send. Import with
``from server.samples.payloads import ...`` (``tests/`` is on ``sys.path``).

Every dataset made from ``TASK_ATTRIBUTES`` has categories 1 (car) and 2 (person)."""

from __future__ import annotations

from typing import Any

from segments import typing as t

TASK_ATTRIBUTES = {"format_version": "0.1", "categories": [{"id": 1, "name": "car"}, {"id": 2, "name": "person"}]}

_url = t.URL(url="https://example.com/a.png")
_xyz = t.XYZ(x=1.0, y=2.0, z=3.0)
_heading = t.XYZW(qx=0.0, qy=0.0, qz=0.0, qw=1.0)


def _dump(model: Any) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude_unset=True)


def _pointcloud(i: int = 0) -> t.PointcloudSampleAttributes:
    return t.PointcloudSampleAttributes(
        pcd=t.PCD(url=f"https://example.com/{i}.pcd", type="kitti"),
        images=[t.CalibratedImage(url="https://example.com/cam.jpg", row=0, col=0,
                                  intrinsics=t.CameraIntrinsics(intrinsic_matrix=[[1.0, 0, 0], [0, 1, 0], [0, 0, 1]]),
                                  extrinsics=t.CameraExtrinsics(translation=_xyz, rotation=_heading))],
        ego_pose=t.EgoPose(position=_xyz, heading=_heading), default_z=-1.0, name=f"frame-{i}", timestamp=1000 + i,
    )


def _image_sequence() -> t.ImageSequenceSampleAttributes:
    return t.ImageSequenceSampleAttributes(frames=[t.ImageFrame(image=_url, name="f0", timestamp=0),
                                                   t.ImageFrame(image=_url, name="f1", timestamp=1)])


def _pointcloud_sequence() -> t.PointcloudSequenceSampleAttributes:
    return t.PointcloudSequenceSampleAttributes(frames=[_pointcloud(0), _pointcloud(1)])


SAMPLE_KINDS: dict[str, tuple[str, dict[str, Any]]] = {
    # kind -> (task type of a dataset holding it, attributes)
    "image": ("vector", _dump(t.ImageSampleAttributes(image=_url))),
    "image-sequence": ("image-vector-sequence", _dump(_image_sequence())),
    "pointcloud": ("pointcloud-cuboid", _dump(_pointcloud())),
    "pointcloud-sequence": ("pointcloud-cuboid-sequence", _dump(_pointcloud_sequence())),
    "multi-sensor": ("multisensor-sequence", _dump(t.MultiSensorSampleAttributes(sensors=[
        t.MultiSensorPointcloudSequenceSampleAttributes(name="Lidar", task_type="pointcloud-cuboid-sequence",
                                                        attributes=_pointcloud_sequence()),
        t.MultiSensorImageSequenceSampleAttributes(name="Camera 1", task_type="image-vector-sequence",
                                                   attributes=_image_sequence()),
    ]))),
}

SAMPLE_FOR_TASK_TYPE = {
    "segmentation-bitmap": "image", "segmentation-bitmap-highres": "image", "bboxes": "image", "vector": "image",
    "keypoints": "image", "image-vector-sequence": "image-sequence", "image-segmentation-sequence": "image-sequence",
    "pointcloud-cuboid": "pointcloud", "pointcloud-vector": "pointcloud", "pointcloud-segmentation": "pointcloud",
    "pointcloud-cuboid-sequence": "pointcloud-sequence", "pointcloud-vector-sequence": "pointcloud-sequence",
    "pointcloud-segmentation-sequence": "pointcloud-sequence", "multisensor-sequence": "multi-sensor",
}


def sample_attributes(task_type: str) -> dict[str, Any]:
    return SAMPLE_KINDS[SAMPLE_FOR_TASK_TYPE[task_type]][1]


# ---------------------------------------------------------------------------------------------------- labels
def _cuboid(track: bool = False, cid: int = 1, ann_id: int = 1) -> Any:
    kwargs: dict[str, Any] = {"id": ann_id, "category_id": cid, "position": _xyz, "dimensions": _xyz, "yaw": 0.5,
                              "type": "cuboid", "attributes": {"occluded": False}}
    if track:
        return t.PointcloudSequenceCuboidAnnotation(track_id=1, is_keyframe=True, **kwargs)
    return t.PointcloudCuboidAnnotation(**kwargs)


def _image_vector() -> t.ImageVectorLabelAttributes:
    return t.ImageVectorLabelAttributes(format_version="0.1", annotations=[
        t.ImageVectorAnnotation(id=1, category_id=1, type="bbox", points=[[1.0, 2.0], [3.0, 4.0]]),
        t.ImageVectorAnnotation(id=2, category_id=2, type="polygon", points=[[0, 0], [5, 0], [5, 5]],
                                attributes={"color": "red"}),
        t.ImageVectorAnnotation(id=3, category_id=1, type="polyline", points=[[0, 0], [1, 1]]),
        t.ImageVectorAnnotation(id=4, category_id=2, type="point", points=[[7.5, 8.5]]),
    ], image_attributes={"daytime": True})


def _image_sequence_vector() -> t.ImageSequenceVectorLabelAttributes:
    return t.ImageSequenceVectorLabelAttributes(format_version="0.2", frames=[t.ImageVectorFrame(annotations=[
        t.ImageSequenceVectorAnnotation(id=1, category_id=1, type="bbox", points=[[1, 2], [3, 4]], track_id=1,
                                        is_keyframe=True)], timestamp=0) for _ in range(2)])


def _image_sequence_segmentation() -> t.ImageSequenceSegmentationLabelAttributes:
    return t.ImageSequenceSegmentationLabelAttributes(format_version="0.2", frames=[
        t.ImageSequenceSegmentationFrame(annotations=[t.ImageSequenceSegmentationAnnotation(
            id=1, category_id=2, track_id=1, is_keyframe=True)], segmentation_bitmap=_url) for _ in range(2)])


def _pointcloud_sequence_cuboid() -> t.PointcloudSequenceCuboidLabelAttributes:
    return t.PointcloudSequenceCuboidLabelAttributes(format_version="0.2", frames=[
        t.PointcloudSequenceCuboidFrame(annotations=[_cuboid(track=True)], timestamp=i) for i in range(2)])


def _pointcloud_sequence_vector() -> t.PointcloudSequenceVectorLabelAttributes:
    return t.PointcloudSequenceVectorLabelAttributes(format_version="0.2", frames=[
        t.PointcloudSequenceVectorFrame(annotations=[
            _cuboid(track=True),
            t.PointcloudSequenceVectorAnnotation(id=2, category_id=2, type="polygon",
                                                 points=[[0, 0, 0], [1, 0, 0], [1, 1, 0]], track_id=2),
        ]) for _ in range(2)])


def _pointcloud_sequence_segmentation() -> Any:
    return t.PointcloudSequenceSegmentationLabelAttributes(format_version="0.2", frames=[
        t.PointcloudSegmentationFrame(annotations=[t.PointcloudSequenceSegmentationAnnotation(
            id=1, category_id=1, track_id=1)], point_annotations=[0, 1, 1, 0]) for _ in range(2)])


LABELS: dict[str, Any] = {
    "segmentation-bitmap": lambda: t.ImageSegmentationLabelAttributes(
        format_version="0.1", segmentation_bitmap=_url,
        annotations=[t.Annotation(id=1, category_id=1), t.Annotation(id=2, category_id=2, attributes={"x": 1})]),
    "vector": _image_vector,
    "bboxes": _image_vector,
    "keypoints": _image_vector,
    "image-vector-sequence": _image_sequence_vector,
    "image-segmentation-sequence": _image_sequence_segmentation,
    "pointcloud-cuboid": lambda: t.PointcloudCuboidLabelAttributes(format_version="0.2", annotations=[_cuboid()]),
    "pointcloud-vector": lambda: t.PointcloudVectorLabelAttributes(format_version="0.2", annotations=[
        t.PointcloudVectorAnnotation(id=1, category_id=1, type="polyline", points=[[0, 0, 0], [1, 1, 1]]),
        _cuboid(ann_id=2)]),
    "pointcloud-segmentation": lambda: t.PointcloudSegmentationLabelAttributes(
        format_version="0.2", annotations=[t.Annotation(id=1, category_id=2)], point_annotations=[0, 1, 0, 1]),
    "pointcloud-cuboid-sequence": _pointcloud_sequence_cuboid,
    "pointcloud-vector-sequence": _pointcloud_sequence_vector,
    "pointcloud-segmentation-sequence": _pointcloud_sequence_segmentation,
    "multisensor-sequence": lambda: t.MultiSensorLabelAttributes(sensors=[
        t.MultiSensorPointcloudSequenceCuboidLabelAttributes(
            name="Lidar", task_type="pointcloud-cuboid-sequence",
            attributes=t.BasePointcloudSequenceCuboidLabelAttributes(
                frames=_pointcloud_sequence_cuboid().frames)),
        t.MultiSensorImageSequenceVectorLabelAttributes(name="Camera 1", task_type="image-vector-sequence",
                                                        attributes=_image_sequence_vector()),
    ]),
}
LABEL_TASK_TYPES = tuple(LABELS)


def label_model(task_type: str) -> Any:
    return LABELS[task_type]()


def label_attributes(task_type: str) -> dict[str, Any]:
    return _dump(label_model(task_type))
