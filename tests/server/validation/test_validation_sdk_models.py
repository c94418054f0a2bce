"""Cross-check against the OFFICIAL SDK's own models (``segments.typing`` of the installed segments-ai 1.33.0):
payloads built with the typed models and dumped the way the SDK sends them (``mode="json", exclude_unset=True``)
must be accepted by our validator for the task type that uses that model (contract §7)."""

from __future__ import annotations

import pytest
from labelhouse_server.validation import validate_label_attributes, validate_sample_attributes
from segments import typing as t

CATS = {"categories": [{"id": i, "name": f"c{i}"} for i in (1, 2, 3, 4)]}

XYZ = t.XYZ(x=1, y=2, z=3)
XYZW = t.XYZW(qx=0, qy=0, qz=0, qw=1)
URL = t.URL(url="https://example.com/a.png")
PCD = t.PCD(url="https://example.com/a.pcd", type=t.PCDType.KITTI)
CORNER = t.OrthoImageCorner(x=0, y=0)
ORTHO = t.OrthoImage(url="https://example.com/o.png",
                     corners=t.OrthoImageCorners(top_left=CORNER, top_right=CORNER, bottom_right=CORNER,
                                                 bottom_left=CORNER),
                     height_map=t.HeightMap(url="https://example.com/h.png", encoding=t.HeightMapEncoding.RGB16))
POINTCLOUD = t.PointcloudSampleAttributes(
    pcd=PCD,
    images=[t.CalibratedImage(url="https://example.com/c.jpg", row=0, col=0,
                              intrinsics=t.CameraIntrinsics(intrinsic_matrix=[[1, 0, 0], [0, 1, 0], [0, 0, 1]]),
                              extrinsics=t.CameraExtrinsics(translation=XYZ, rotation=XYZW),
                              distortion=t.DistortionFisheye(
                                  model=t.CameraDistortionModel.FISH_EYE,
                                  coefficients=t.FisheyeDistortionCoefficients(k1=0, k2=0, k3=0, k4=0)),
                              camera_convention=t.CameraConvention.OPEN_CV, name="front", rotation=0.5),
            t.CalibratedImage(distortion=t.DistortionBrownConrady(
                model=t.CameraDistortionModel.BROWN_CONRADY,
                coefficients=t.BrownConradyDistortionCoefficients(k1=0, k2=0, p1=0, p2=0, k3=0, k4=1)))],
    ego_pose=t.EgoPose(position=XYZ, heading=XYZW), default_z=-1, name="scan", timestamp=1000,
    bounds=t.Bounds(min_x=-10, max_z=3), ortho_images=[ORTHO],
)
IMAGE_SEQUENCE = t.ImageSequenceSampleAttributes(frames=[t.ImageFrame(image=URL, name="f0", timestamp="0001"),
                                                         t.ImageFrame(image=t.URL())])
POINTCLOUD_SEQUENCE = t.PointcloudSequenceSampleAttributes(frames=[POINTCLOUD, t.PointcloudSampleAttributes(pcd=PCD)],
                                                           ortho_images=[ORTHO])

SAMPLES = [
    ("segmentation-bitmap", t.ImageSampleAttributes(image=URL)),
    ("vector", t.ImageSampleAttributes(image=t.URL(signed_url="https://signed"))),
    ("image-vector-sequence", IMAGE_SEQUENCE),
    ("pointcloud-cuboid", POINTCLOUD),
    ("pointcloud-segmentation", t.PointcloudSampleAttributes(pcd=PCD)),
    ("pointcloud-cuboid-sequence", POINTCLOUD_SEQUENCE),
    ("multisensor-sequence", t.MultiSensorSampleAttributes(sensors=[
        t.MultiSensorPointcloudSequenceSampleAttributes(name="Lidar", task_type="pointcloud-cuboid-sequence",
                                                        attributes=POINTCLOUD_SEQUENCE),
        t.MultiSensorImageSequenceSampleAttributes(name="Camera", task_type="image-vector-sequence",
                                                   attributes=IMAGE_SEQUENCE),
    ])),
]


@pytest.mark.parametrize(("task_type", "model"), SAMPLES, ids=[f"{tt}-{type(m).__name__}" for tt, m in SAMPLES])
def test_sdk_built_sample_attributes_are_accepted(task_type: str, model: t.BaseModel) -> None:
    validate_sample_attributes(task_type, model.model_dump(mode="json", exclude_unset=True))
    validate_sample_attributes(task_type, model.model_dump(mode="json"))  # also with every default written out


ATTRS = {"occluded": True, "color": "red", "n": 3, "score": 0.25, "tags": ["x"], "none": None}
BBOX = t.ImageVectorAnnotation(id=1, category_id=1, type=t.ImageVectorAnnotationType.BBOX,
                               points=[[1, 2], [3, 4]], attributes=ATTRS)
POLYGON = t.ImageVectorAnnotation(id=2, category_id=2, type="polygon", points=[[0, 0], [1, 0], [1, 1]])
POLYLINE = t.ImageVectorAnnotation(id=3, category_id=3, type="polyline", points=[[0, 0], [1, 1]])
POINT = t.ImageVectorAnnotation(id=4, category_id=4, type="point", points=[[5, 5]])
CUBOID = t.PointcloudCuboidAnnotation(id=1, category_id=1, position=XYZ, dimensions=XYZ, yaw=0.3, rotation=XYZW,
                                      type="cuboid", attributes=ATTRS,
                                      velocity=t.Velocity(relative=None, absolute=1),
                                      acceleration=t.Acceleration(relative=0.5, absolute=2))
SEQ_CUBOID = t.PointcloudSequenceCuboidAnnotation(**CUBOID.model_dump(exclude_unset=True), track_id=7,
                                                  is_keyframe=True)
PC_POLYGON = t.PointcloudVectorAnnotation(id=2, category_id=2, type="polygon",
                                          points=[[0, 0, 0], [1, 0, 0], [1, 1, 0]])
SEQ_PC_POLYLINE = t.PointcloudSequenceVectorAnnotation(id=3, category_id=3, type="polyline",
                                                       points=[[0, 0, 0], [1, 1, 1]], track_id=8)
LINK = t.Link(from_id=1, to_id=2, attributes={"kind": "tows"},
              frames=[t.LinkFrameAttributes(attributes={"visible": True})])

IMAGE_VECTOR_SEQUENCE = t.ImageSequenceVectorLabelAttributes(format_version="0.2", frames=[
    t.ImageVectorFrame(annotations=[
        t.ImageSequenceVectorAnnotation(**BBOX.model_dump(), track_id=1, is_keyframe=True),
        t.ImageSequenceVectorAnnotation(**POINT.model_dump(exclude_unset=True), track_id=2),
    ], timestamp=1, image_attributes={"scene": "x"}),
    t.ImageVectorFrame(annotations=[]),
])
IMAGE_SEGMENTATION_SEQUENCE = t.ImageSequenceSegmentationLabelAttributes(frames=[
    t.ImageSequenceSegmentationFrame(annotations=[t.ImageSequenceSegmentationAnnotation(id=1, category_id=1,
                                                                                        track_id=1)],
                                     segmentation_bitmap=URL, timestamp="a"),
    t.ImageSequenceSegmentationFrame(annotations=[]),
])
PC_CUBOID_SEQUENCE = t.PointcloudSequenceCuboidLabelAttributes(frames=[
    t.PointcloudSequenceCuboidFrame(annotations=[SEQ_CUBOID], timestamp=0.5, format_version="0.2"),
], links=[LINK])
PC_VECTOR_SEQUENCE = t.PointcloudSequenceVectorLabelAttributes(frames=[
    t.PointcloudSequenceVectorFrame(annotations=[SEQ_CUBOID, SEQ_PC_POLYLINE], links=[LINK]),
])
PC_SEGMENTATION_SEQUENCE = t.PointcloudSequenceSegmentationLabelAttributes(frames=[
    t.PointcloudSegmentationFrame(annotations=[t.PointcloudSequenceSegmentationAnnotation(id=1, category_id=2,
                                                                                          track_id=3)],
                                  point_annotations=[0, 1, 1, 0]),
])

LABELS = [
    ("segmentation-bitmap", t.ImageSegmentationLabelAttributes(
        annotations=[t.Annotation(id=1, category_id=1, attributes=ATTRS), t.Annotation(id=2, category_id=4)],
        segmentation_bitmap=URL, image_attributes={"weather": "sunny"}, format_version="0.1")),
    ("segmentation-bitmap-highres", t.ImageSegmentationLabelAttributes(annotations=[], segmentation_bitmap=t.URL())),
    ("vector", t.ImageVectorLabelAttributes(annotations=[BBOX, POLYGON, POLYLINE, POINT], format_version=0.1)),
    ("bboxes", t.ImageVectorLabelAttributes(annotations=[BBOX])),
    ("keypoints", t.ImageVectorLabelAttributes(annotations=[POINT])),
    ("image-vector-sequence", IMAGE_VECTOR_SEQUENCE),
    ("image-segmentation-sequence", IMAGE_SEGMENTATION_SEQUENCE),
    ("pointcloud-cuboid", t.PointcloudCuboidLabelAttributes(annotations=[CUBOID], links=[LINK])),
    ("pointcloud-vector", t.PointcloudVectorLabelAttributes(annotations=[CUBOID, PC_POLYGON], links=[])),
    ("pointcloud-segmentation", t.PointcloudSegmentationLabelAttributes(
        annotations=[t.Annotation(id=1, category_id=1)], point_annotations=[0, 1, 0])),
    ("pointcloud-cuboid-sequence", PC_CUBOID_SEQUENCE),
    ("pointcloud-vector-sequence", PC_VECTOR_SEQUENCE),
    ("pointcloud-segmentation-sequence", PC_SEGMENTATION_SEQUENCE),
    ("multisensor-sequence", t.MultiSensorLabelAttributes(sensors=[
        t.MultiSensorPointcloudSequenceCuboidLabelAttributes(
            name="Lidar", task_type="pointcloud-cuboid-sequence",
            attributes=t.BasePointcloudSequenceCuboidLabelAttributes(frames=PC_CUBOID_SEQUENCE.frames)),
        t.MultiSensorPointcloudSequenceVectorLabelAttributes(
            name="Lidar 2", task_type="pointcloud-vector-sequence",
            attributes=t.BasePointcloudSequenceVectorLabelAttributes(frames=PC_VECTOR_SEQUENCE.frames)),
        t.MultiSensorPointcloudSequenceSegmentationLabelAttributes(
            name="Lidar 3", task_type="pointcloud-segmentation-sequence", attributes=PC_SEGMENTATION_SEQUENCE),
        t.MultiSensorImageSequenceVectorLabelAttributes(name="Camera 1", task_type="image-vector-sequence",
                                                        attributes=IMAGE_VECTOR_SEQUENCE),
        t.MultiSensorImageSequenceSegmentationLabelAttributes(name="Camera 2", task_type="image-segmentation-sequence",
                                                              attributes=IMAGE_SEGMENTATION_SEQUENCE),
        t.MultiSensorImageSequenceVectorLabelAttributes(name="Camera 3", task_type="image-vector-sequence",
                                                        attributes=[]),
    ], links=[LINK])),
]


@pytest.mark.parametrize(("task_type", "model"), LABELS, ids=[f"{tt}-{type(m).__name__}" for tt, m in LABELS])
def test_sdk_built_label_attributes_are_accepted(task_type: str, model: t.BaseModel) -> None:
    validate_label_attributes(task_type, CATS, model.model_dump(mode="json", exclude_unset=True))
    validate_label_attributes(task_type, CATS, model.model_dump(mode="json"))  # every default written out


def test_every_task_type_with_an_sdk_model_is_covered() -> None:
    from segments.resource_api import task_type_label_attribute_map, task_type_sample_attribute_map

    label_types = {tt for tt, _ in LABELS}
    for task_type, model in task_type_label_attribute_map.items():
        assert getattr(task_type, "value", task_type) in label_types, (task_type, model)
    sample_models = {type(m) for _, m in SAMPLES}
    assert set(task_type_sample_attribute_map.values()) <= sample_models
